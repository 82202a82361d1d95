// Issue #5's hostile-input proof. Starts its own Prosody, database, Twilio simulator and gateway
// (a child process at log level trace), fuzzes the XMPP side and the webhooks with a seeded PRNG,
// runs the access, secrets and rate-limit checks, and exits non-zero on any crash, hang,
// unanswered iq, 5xx, liveness failure, leaked secret or access violation.
//   node --import tsx fuzz/main.ts [--seed N] [--count N] [--json FILE] [--require-rate-limit]
import fs from "node:fs/promises";
import { parseArgs } from "./args.ts";
import { printReport } from "./print.ts";
import { run } from "./runner.ts";

const args = parseArgs(process.argv.slice(2));
if (typeof args === "string") {
  const help = args.startsWith("usage");
  (help ? process.stdout : process.stderr).write(`${args}\n`);
  process.exit(help ? 0 : 2);
}

const out = (s: string) => process.stdout.write(`${s}\n`);
try {
  const report = await run(args, out);
  printReport(report, out);
  if (args.json) {
    await fs.writeFile(args.json, JSON.stringify({ ...report, failureCounts: report.failureCounts(), failed: report.failed }, null, 2));
    out(`· JSON report → ${args.json}`);
  }
  process.exit(report.failed ? 1 : 0);
} catch (err) {
  process.stderr.write(`fuzz: could not run: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
