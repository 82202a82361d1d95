import { parseArgs } from "node:util";
import { ConfigError } from "../config/load.ts";
import type { CliContext } from "./context.ts";
import { StartupError } from "../app.ts";
import { USAGE, UsageError } from "./usage.ts";
import { runStart } from "./start.ts";
import { runMigrate } from "./migrate.ts";
import { runCheckConfig } from "./checkConfig.ts";
import { runUsersList } from "./users.ts";

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
  const noMore = (extra: unknown[]) => {
    if (extra.length > 0) throw new UsageError(`unexpected argument: ${String(extra[0])}`);
  };
  switch (command) {
    case "start":
      noMore([sub, ...rest].filter((x) => x !== undefined));
      return runStart(ctx, { migrate: values.migrate ?? false });
    case "migrate":
      noMore([sub, ...rest].filter((x) => x !== undefined));
      return runMigrate(ctx);
    case "check-config":
      noMore([sub, ...rest].filter((x) => x !== undefined));
      return runCheckConfig(ctx);
    case "users":
      if (sub !== "list") throw new UsageError(`unknown users command: ${sub ?? "(none)"} (available: list)`);
      noMore(rest);
      return runUsersList(ctx);
    case undefined:
      throw new UsageError("no command given");
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
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
      process.stderr.write(`switchboard: invalid configuration:\n${err.message}\n`);
      process.exitCode = 1;
    } else if (err instanceof StartupError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`switchboard: ${(err as Error)?.message ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
