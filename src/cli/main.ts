import { parseArgs } from "node:util";
import { ConfigError } from "../config/load.ts";
import { GatewayError } from "../core/errors.ts";
import type { CliContext } from "./context.ts";
import { USAGE, UsageError } from "./usage.ts";
import { parseFields, parseJid, parseNetwork, parsePassword, parsePort } from "./args.ts";

// Each command's module is imported when it runs: the gateway's modules take seconds to load,
// and bad usage or --help should not wait for them.
const users = () => import("./users.ts");
const numbers = () => import("./numbers.ts");
const queue = () => import("./queue.ts");

type Option = "migrate" | "network" | "user" | "xmpp-port" | "password";

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: "string" },
        json: { type: "boolean", default: false },
        migrate: { type: "boolean", default: false },
        network: { type: "string" },
        user: { type: "string" },
        "xmpp-port": { type: "string" },
        password: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const ctx: CliContext = { configPath: values.config, json: values.json ?? false, out: (line) => console.log(line) };
  const [command, sub, ...rest] = positionals;
  const given: Record<Option, boolean> = {
    migrate: values.migrate === true,
    network: values.network !== undefined,
    user: values.user !== undefined,
    "xmpp-port": values["xmpp-port"] !== undefined,
    password: values.password !== undefined,
  };
  /** Refuses options the command does not take and positionals beyond `max`. */
  const accept = (args: string[], max: number, options: Option[] = []) => {
    const extra = (Object.keys(given) as Option[]).find((o) => given[o] && !options.includes(o));
    if (extra) throw new UsageError(`--${extra} does not apply to ${[command, sub].filter(Boolean).join(" ")}`);
    if (args.length > max) throw new UsageError(`unexpected argument: ${args[max]}`);
  };
  const subcommand = (available: string[]) => {
    if (sub === undefined || !available.includes(sub)) throw new UsageError(`unknown ${command} command: ${sub ?? "(none)"} (available: ${available.join(", ")})`);
    return sub;
  };
  const all = [sub, ...rest].filter((x): x is string => x !== undefined);
  switch (command) {
    case "start":
      accept(all, 0, ["migrate"]);
      return (await import("./start.ts")).runStart(ctx, { migrate: values.migrate ?? false });
    case "migrate":
      accept(all, 0);
      return (await import("./migrate.ts")).runMigrate(ctx);
    case "check-config":
      accept(all, 0);
      return (await import("./checkConfig.ts")).runCheckConfig(ctx);
    case "doctor":
      accept(all, 0);
      return (await import("./doctor.ts")).runDoctor(ctx);
    case "demo":
      accept(all, 0, ["xmpp-port", "password"]);
      return (await import("./demo.ts")).runDemo(ctx, { xmppPort: parsePort(values["xmpp-port"], "--xmpp-port"), password: parsePassword(values.password) });
    case "users":
      switch (subcommand(["list", "show", "add", "remove"])) {
        case "list":
          accept(rest, 0);
          return (await users()).runUsersList(ctx);
        case "show":
          accept(rest, 1);
          return (await users()).runUsersShow(ctx, parseJid(rest[0]));
        case "add": {
          accept(rest, Infinity, ["network"]);
          const network = parseNetwork(values.network);
          if (!network) throw new UsageError("users add needs --network (sms, telegram or email)");
          const jid = parseJid(rest[0]);
          return (await users()).runUsersAdd(ctx, jid, network, parseFields(rest.slice(1)));
        }
        default:
          accept(rest, 1, ["network"]);
          return (await users()).runUsersRemove(ctx, parseJid(rest[0]), parseNetwork(values.network));
      }
    case "contacts":
      subcommand(["list"]);
      accept(rest, 1, ["network"]);
      return (await import("./contacts.ts")).runContactsList(ctx, parseJid(rest[0]), parseNetwork(values.network));
    case "numbers":
      switch (subcommand(["list", "assign", "release"])) {
        case "list":
          accept(rest, 0);
          return (await numbers()).runNumbersList(ctx);
        case "assign":
          accept(rest, 2);
          if (rest[0] === undefined) throw new UsageError("missing the number to assign");
          return (await numbers()).runNumbersAssign(ctx, rest[0], parseJid(rest[1]));
        default:
          accept(rest, 1);
          if (rest[0] === undefined) throw new UsageError("missing the number to release");
          return (await numbers()).runNumbersRelease(ctx, rest[0]);
      }
    case "queue":
      if (subcommand(["status", "retry"]) === "status") {
        accept(rest, 0);
        return (await queue()).runQueueStatus(ctx);
      }
      accept(rest, 0, ["network", "user"]);
      return (await queue()).runQueueRetry(ctx, { network: parseNetwork(values.network), user: values.user === undefined ? undefined : parseJid(values.user, "--user JID") });
    case undefined:
      throw new UsageError("no command given");
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

/** One line: a reason from a network or the database may carry newlines. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, "; ");
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`switchboard: ${err.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (err instanceof ConfigError) {
      // One line, as for every failure (scripts read the first line); every problem is on it.
      const where = err.file && !err.problems.some((p) => p.includes(err.file!)) ? ` in ${err.file}` : "";
      process.stderr.write(`switchboard: invalid configuration${where}: ${err.problems.map(oneLine).join("; ")}\n`);
      process.exitCode = 1;
    } else if (err instanceof GatewayError) {
      // The gateway's own reason, as the XMPP side would say it; an internal one names its cause.
      const cause = err.condition === "internal-server-error" && err.cause instanceof Error ? ` (${err.cause.message})` : "";
      process.stderr.write(`switchboard: ${oneLine(err.message + cause)}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`switchboard: ${oneLine((err as Error)?.message ?? String(err))}\n`);
      process.exitCode = 1;
    }
  },
);
