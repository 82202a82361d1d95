import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import YAML from "yaml";
import type { z } from "zod";
import { configSchema, describe, type Config } from "./schema.ts";

export type { Config, NetworkName } from "./schema.ts";

export const DEFAULT_CONFIG_FILE = "switchboard.yaml";

/** Everything wrong with a config file, one problem per line of the message. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  readonly file: string | undefined;
  constructor(problems: readonly string[], file?: string) {
    super(problems.join("\n"));
    this.name = "ConfigError";
    this.problems = problems;
    this.file = file;
  }
}

export interface LoadConfigOptions {
  path?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** --config PATH, else $SWITCHBOARD_CONFIG, else ./switchboard.yaml (relative to cwd). */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const [given, from] =
    options.path !== undefined
      ? [options.path, "--config"]
      : env.SWITCHBOARD_CONFIG
        ? [env.SWITCHBOARD_CONFIG, "$SWITCHBOARD_CONFIG"]
        : [DEFAULT_CONFIG_FILE, "the default; use --config PATH or $SWITCHBOARD_CONFIG"];
  const file = resolve(cwd, given);

  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "config file not found"
        : code === "EISDIR"
          ? "config path is a directory, not a file"
          : `cannot read config file (${code ?? String(err)})`;
    throw new ConfigError([`${why}: ${file} (${from})`], file);
  }
  return parseConfig(text, env, file);
}

/**
 * Parses and validates config text. sourceName is the file it came from: relative paths in
 * the config (database.dataDir) are resolved against its directory.
 */
export function parseConfig(text: string, env: NodeJS.ProcessEnv, sourceName: string): Config {
  const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [syntax, ...cascade] = doc.errors;
  if (syntax) {
    // Later syntax errors mostly follow from the first; listing them all buries it.
    const more = cascade.length > 0 ? ` (and ${cascade.length} more after it)` : "";
    const line = text.split("\n")[(syntax.linePos?.[0].line ?? 0) - 1] ?? "";
    const hint = /[[{].*\$\{/.test(line) ? ' — inside [ ] or { }, quote values that use ${…}: "${NAME}"' : "";
    throw new ConfigError([`${sourceName}: ${firstLine(syntax.message)}${hint}${more}`], sourceName);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError([`${sourceName}: ${(err as Error).message}`], sourceName);
  }
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError([`${sourceName}: expected a mapping of keys at the top level`], sourceName);
  }

  const envProblems: Problem[] = [];
  const substituted = substitute(raw, [], env, envProblems);

  const result = configSchema.safeParse(substituted, { reportInput: true });
  const problems = [...envProblems];
  if (!result.success) {
    // A key whose ${VAR} failed is reported once, for the variable, not again for its value.
    const failed = envProblems.map((p) => p.path);
    for (const issue of result.error.issues) {
      const path = issue.path.filter(isKey);
      if (failed.some((f) => startsWith(path, f))) continue;
      problems.push(...describeIssue(issue, path));
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(problems.map(formatProblem), sourceName);
  }
  if (!result.success) throw new Error("unreachable: failed parse without problems");

  const config = result.data;
  const baseDir = dirname(resolve(sourceName));
  return {
    ...config,
    database: {
      ...config.database,
      dataDir: isAbsolute(config.database.dataDir)
        ? config.database.dataDir
        : resolve(baseDir, config.database.dataDir),
    },
  };
}

type Key = string | number;
interface Problem {
  path: Key[];
  message: string;
}

function isKey(k: PropertyKey): k is Key {
  return typeof k === "string" || typeof k === "number";
}

function startsWith(path: readonly Key[], prefix: readonly Key[]): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

// ${NAME} → env NAME; $${ is a literal "${" for values that really contain one.
const PLACEHOLDER = /\$\$\{|\$\{([^}]*)\}?/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function substitute(value: unknown, path: Key[], env: NodeJS.ProcessEnv, problems: Problem[]): unknown {
  if (typeof value === "string") {
    return value.replace(PLACEHOLDER, (match, name: string | undefined) => {
      if (match === "$${") return "${";
      if (!match.endsWith("}") || name === undefined || !ENV_NAME.test(name)) {
        problems.push({
          path,
          message: `${JSON.stringify(match)} is not a valid \${NAME} reference (write $\${ for a literal "\${")`,
        });
        return match;
      }
      const found = env[name];
      if (found === undefined) {
        problems.push({ path, message: `environment variable ${name} is not set` });
        return match;
      }
      return found;
    });
  }
  if (Array.isArray(value)) {
    return value.map((v, i) => substitute(v, [...path, i], env, problems));
  }
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // "key:" with nothing after it means the same as leaving the key out.
      if (v === null) continue;
      out[k] = substitute(v, [...path, k], env, problems);
    }
    return out;
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, path: Key[]): Problem[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const hint = suggest(key, knownKeysAt(path));
      return { path: [...path, key], message: `unknown key${hint ? ` (did you mean ${hint}?)` : ""}` };
    });
  }
  // zod's own wording ("Invalid input: …") is replaced; messages written in schema.ts are kept.
  if (issue.code === "invalid_type" && issue.message.startsWith("Invalid input")) {
    if (issue.input === undefined) return [{ path, message: "is required" }];
    const last = path.at(-1);
    const secret = typeof last === "string" && SECRET_KEY_NAMES.test(last);
    return [{ path, message: `expected ${typeName(issue.expected)}, got ${describe(issue.input, secret)}` }];
  }
  return [{ path, message: issue.message }];
}

const SECRET_KEY_NAMES = /secret|token|key|password|url|sid/i;

function typeName(expected: string): string {
  switch (expected) {
    case "array":
      return "a list";
    case "object":
      return "a mapping";
    case "string":
    case "number":
    case "boolean":
      return `a ${expected}`;
    default:
      return expected;
  }
}

function formatProblem(p: Problem): string {
  return `${formatPath(p.path)}: ${p.message}`;
}

export function formatPath(path: readonly Key[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`))
    .join("");
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/:\s*$/, "");
}

// Walks zod's schema definitions (the documented `_zod.def` internals) to list the keys an
// object at `path` accepts, so a typo can be answered with the likely intended key.
function knownKeysAt(path: readonly Key[]): string[] {
  let node: unknown = configSchema;
  for (let i = 0; ; i++) {
    node = unwrap(node);
    const def = defOf(node);
    if (i === path.length) {
      return def?.type === "object" && def.shape ? Object.keys(def.shape) : [];
    }
    const key = path[i];
    if (def?.type === "object" && typeof key === "string") node = def.shape?.[key];
    else if (def?.type === "array" && typeof key === "number") node = def.element;
    else return [];
  }
}

interface Def {
  type?: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
  in?: unknown;
  out?: unknown;
}

function defOf(node: unknown): Def | undefined {
  return (node as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

function unwrap(node: unknown): unknown {
  for (let depth = 0; depth < 20; depth++) {
    const def = defOf(node);
    if (!def) return node;
    if (def.innerType !== undefined) node = def.innerType;
    else if (def.type === "pipe") node = defOf(def.in)?.type === "transform" ? def.out : def.in;
    else return node;
  }
  return node;
}

function suggest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : distance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.min(2, Math.floor(key.length / 3)))
    ? best
    : undefined;
}

// Optimal string alignment distance: a swapped pair of letters ("prot") counts as one edit.
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] ?? [];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}
