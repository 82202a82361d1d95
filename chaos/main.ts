// `npm run chaos`: nothing lost, nothing doubled — numbered messages both ways on SMS, Telegram
// and email while the gateway is SIGKILLed, Prosody restarted, PostgreSQL connections cut and
// the networks fail a share of calls. See chaos/README.md.
import { parseOptions, USAGE, UsageError } from "./args.ts";
import { writeJson } from "./report/json.ts";
import { printable } from "./report/print.ts";
import { runChaos } from "./run.ts";

const log = (line: string) => process.stderr.write(`chaos: ${line}\n`);

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (opts === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const report = await runChaos(opts, log);
  process.stdout.write(`${printable(report)}\n`);
  if (opts.json) {
    await writeJson(opts.json, report);
    log(`JSON report: ${opts.json}`);
  }
  return report.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: the run could not be carried out: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
