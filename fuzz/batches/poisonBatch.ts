// Inputs that may break the gateway for good, one at a time: send, wait for delivery, check
// liveness; if it broke, clear what is queued and see whether it recovers.
import type { FuzzEnv } from "../env/fuzzEnv.ts";
import type { BatchStats, Report } from "../report.ts";
import { inc } from "../report.ts";
import type { PoisonCase } from "../targets/types.ts";
import { liveness } from "../checks/liveness.ts";

const RECOVERY_MS = 20_000;

export async function runPoison(env: FuzzEnv, report: Report, stats: BatchStats, cases: PoisonCase[]): Promise<void> {
  for (const c of cases) {
    stats.sent++;
    const r = await c.send();
    inc(stats.codes, String(r.code));
    if (r.code === "timeout" || r.code === "error") {
      stats.hangs++;
      report.fail("hang", stats.name, `${c.describe}: ${r.reason}`);
    } else if (r.code >= 500) report.fail("5xx", stats.name, `${c.describe}: ${r.code} ${r.reason}`);
    const delivered = (await c.expectDelivered?.()) ?? true;
    const lost = await c.collateral?.();
    if (lost) {
      stats.notes.push(`${c.describe}: ${lost}`);
      report.findings.push(`${c.describe}: ${lost} (collateral loss)`);
    }
    const live = await liveness(env, `poison ${stats.sent}`);
    if (live.problems.length === 0) {
      stats.notes.push(`${c.describe}: answered ${r.code}; ${delivered ? "delivered" : "NOT delivered"}; gateway fine`);
      if (!delivered) report.findings.push(`${c.describe}: answered ${r.code} but never delivered to the user (no error either)`);
      continue;
    }
    stats.livenessFailures++;
    report.fail("liveness", stats.name, `${c.describe}: ${live.problems.join("; ")}`);
    const healed = await c.heal();
    const t0 = Date.now();
    let back = false;
    while (Date.now() - t0 < RECOVERY_MS) {
      const again = await liveness(env, `poison ${stats.sent} recovery`, { sms: false });
      if (again.problems.length === 0) {
        back = true;
        break;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    const verdict = back ? `recovered ${Date.now() - t0} ms after the heal (${healed})` : `did NOT recover within ${RECOVERY_MS / 1000} s after the heal (${healed})`;
    stats.notes.push(`${c.describe}: answered ${r.code}; broke the gateway (${live.problems[0]}); ${verdict}`);
    if (!back && env.gw.alive) {
      await env.gw.stop();
      await env.gw.start();
      stats.notes.push("gateway restarted to go on");
    }
  }
}
