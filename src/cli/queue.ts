import type { NetworkName } from "../core/adapter.ts";
import { GatewayError } from "../core/errors.ts";
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
 * Not built: a failed outbound part cannot be sent again from what the store keeps. When a
 * message fails (OutboxStore.failMessage) its body is set to NULL, and nothing but the error
 * text records whether the failure was transient. Fails with that reason instead of pretending.
 */
export async function runQueueRetry(_ctx: CliContext, _opts: { network: NetworkName | undefined; user: string | undefined }): Promise<number> {
  throw new GatewayError(
    "feature-not-implemented",
    "queue retry is not built yet: a failed message's text is dropped when it fails and no column records whether the failure was transient, so there is nothing to send again (needs a schema change)",
  );
}
