import type { NetworkName } from "../core/adapter.ts";
import { OUTBOUND_TASK, outboundJobKey } from "../core/outboundService.ts";
import { JobQueue } from "../queue/jobQueue.ts";
import { OutboxStore } from "../store/outbox.ts";
import { withAdmin } from "./admin.ts";
import type { CliContext } from "./context.ts";

type Counts = Record<string, Record<string, number>>;

/** Outbox and inbox rows by network and state, the oldest unfinished row's age, unroutable inbound. */
export async function runQueueStatus(ctx: CliContext): Promise<number> {
  return withAdmin(ctx, {}, async ({ queries }) => {
    const q = await queries.queueCounts();
    const outbox: Counts = {};
    const inbox: Counts = {};
    for (const [into, list, unfinished] of [[outbox, q.outbox, "oldestPendingSeconds"], [inbox, q.inbox, "oldestPendingSeconds"]] as const) {
      for (const r of list) {
        const n = (into[r.network] ??= {});
        n[r.state] = r.count;
        if (r.oldestSeconds !== null) n[unfinished] = Math.max(n[unfinished] ?? 0, r.oldestSeconds);
      }
    }
    const unroutable = Object.fromEntries(q.unroutable.map((r) => [r.network, r.count]));
    if (ctx.json) {
      ctx.out(JSON.stringify({ outbox, inbox, unroutable }));
      return 0;
    }
    const line = (what: string, counts: Counts) => {
      const networks = Object.keys(counts);
      if (networks.length === 0) ctx.out(`${what}: empty`);
      for (const network of networks) {
        const { oldestPendingSeconds, ...states } = counts[network]!;
        const age = oldestPendingSeconds !== undefined ? `; oldest unfinished ${oldestPendingSeconds} s` : "";
        ctx.out(`${what} ${network}: ${Object.entries(states).map(([s, n]) => `${n} ${s}`).join(", ")}${age}`);
      }
    };
    line("outbox", outbox);
    line("inbox", inbox);
    for (const [network, n] of Object.entries(unroutable)) ctx.out(`unroutable ${network}: ${n}`);
    return 0;
  });
}

/**
 * Puts messages that failed because their network could not be reached (their retry budget ran
 * out) back in the queue with a fresh budget, and wakes the running gateway's delivery for them
 * (a job per conversation, the same wake-up a scheduled retry uses). Messages the network
 * refused for good are not retried. The user already got an error for each; a receipt follows
 * if the retry gets through and one was asked for.
 */
export async function runQueueRetry(ctx: CliContext, opts: { network: NetworkName | undefined; user: string | undefined }): Promise<number> {
  return withAdmin(ctx, {}, async ({ db }) => {
    const outbox = new OutboxStore(db.ds);
    const result = await db.ds.transaction(async (tx) => {
      const requeued = await outbox.requeueRetryable(tx, { network: opts.network, userJid: opts.user });
      for (const contactId of requeued.contactIds) {
        await JobQueue.add(tx, OUTBOUND_TASK, { contactId }, outboundJobKey(contactId));
      }
      return requeued;
    });
    if (ctx.json) ctx.out(JSON.stringify({ requeuedParts: result.parts, conversations: result.contactIds.length }));
    else ctx.out(`${result.parts} message part(s) in ${result.contactIds.length} conversation(s) queued again`);
    return 0;
  });
}
