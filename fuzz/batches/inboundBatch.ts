// Runs a network target's inbound cases (webhooks…) a few at a time and judges each answer:
// never a hang, never 5xx (for SMTP: never 421/451, never a dropped session), never 2xx for an unauthenticated input; other surprises are listed.
import type { BatchStats, Report } from "../report.ts";
import { inc, noteUnexpected } from "../report.ts";
import type { InboundCase } from "../targets/types.ts";

const CONCURRENCY = 4;

export async function runInboundCases(cases: InboundCase[], stats: BatchStats, report: Report): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const c = cases[i];
      if (!c) return;
      await judge(c, stats, report);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function judge(c: InboundCase, b: BatchStats, report: Report): Promise<void> {
  b.sent++;
  inc(b.labels, c.category);
  const r = await c.send();
  inc(b.codes, String(r.code));
  const what = `[${c.category}] ${c.describe}`;
  if (r.code === "timeout") {
    b.hangs++;
    report.fail("hang", b.name, `${what}: ${r.reason}`);
  } else if (r.code === "error") {
    b.hangs++;
    report.fail("hang", b.name, `${what}: connection failed without an answer (${r.reason})`);
  } else if (c.protocol === "smtp" && (r.code === 421 || r.code === 451)) {
    report.fail("5xx", b.name, `${what}: SMTP ${r.code}, the gateway's own failure: ${r.reason}`);
  } else if (c.protocol !== "smtp" && r.code >= 500) {
    report.fail("5xx", b.name, `${what}: ${r.code} ${r.reason}`);
  } else if (r.code >= 200 && r.code < 300 && c.unauthenticated) {
    report.fail("access", b.name, `${what}: accepted with ${r.code} although it proves nothing about its origin`);
  } else if (!c.expect.includes(r.code)) {
    noteUnexpected(b, `${what}: ${r.code} (expected ${c.expect.join("/")}) ${r.reason.slice(0, 100)}`);
  }
  if (typeof r.code === "number" && r.code >= 400 && r.code < 500 && r.reason.trim() === "" && !c.reasonOptional) noteUnexpected(b, `${what}: ${r.code} without a reason`);
  if (c.verify) {
    for (const problem of await c.verify(r)) {
      report.fail("access", b.name, `${what}: ${problem}`);
    }
  }
}
