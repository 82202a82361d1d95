// Faults on the Bot API. Each sendMessage meets, with probability `rate`, one of: 429 with
// retry_after 1 (simulator), 500 (simulator), or a lost answer (Telegram posted the message; the
// proxy cuts the connection before the gateway hears). A getUpdates answer that carries updates
// is lost with the same probability (Telegram keeps them until the next poll confirms them).
// Armed before a kill: the next sendMessage's answer is held back until the gateway dies.
import type { TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";
import type { FaultKind, Ledger } from "../ledger.ts";
import type { Rng } from "../../test/support/rng.ts";
import { allMarkers, outboundMarker } from "../types.ts";
import { Arm } from "./arm.ts";
import type { Exchange, ProxiedRequest, ProxyPolicy, UpstreamAnswer, Verdict } from "./httpFaultProxy.ts";

const METHOD = /^\/bot[^/]+\/([A-Za-z]+)/;
const HOLD_MAX_MS = 20_000;

const methodOf = (req: ProxiedRequest) => METHOD.exec(req.path)?.[1]?.toLowerCase();
const ok = (a: UpstreamAnswer) => a.status === 200;
const hasUpdates = (a: UpstreamAnswer) => {
  try {
    const r = JSON.parse(a.body.toString("utf8")) as { ok?: boolean; result?: unknown[] };
    return r.ok === true && Array.isArray(r.result) && r.result.length > 0;
  } catch {
    return false;
  }
};

export class TelegramPolicy implements ProxyPolicy {
  readonly arm = new Arm<"hold">();

  constructor(
    private readonly sim: TelegramSimulator,
    private readonly token: string,
    private readonly rng: Rng,
    /** Share of calls that meet a fault; 0 during setup. */
    public rate: number,
    private readonly ledger: Ledger,
  ) {}

  decide(req: ProxiedRequest): Verdict<FaultKind> {
    const method = methodOf(req);
    if (method === "getupdates") {
      return this.rng.chance(this.rate) ? { kind: "lose-answer", label: "poll-lost-answer", when: hasUpdates } : { kind: "pass" };
    }
    if (method !== "sendmessage") return { kind: "pass" };
    const marker = outboundMarker(req.body.toString("utf8"), "telegram");
    const armed = this.arm.take();
    if (armed) {
      return { kind: "hold-answer", label: "api-held-at-kill", maxMs: HOLD_MAX_MS, when: ok, onHeld: () => {
        this.#note("api-held-at-kill", marker);
        armed.engaged(marker);
      } };
    }
    if (!this.rng.chance(this.rate)) return { kind: "pass" };
    switch (this.rng.pick(["429", "500", "lost"] as const)) {
      case "429":
        this.#note("api-429", marker);
        return { kind: "inject", label: "api-429", apply: () => this.sim.injectFailures(this.token, 1, { status: 429, retryAfter: 1 }) };
      case "500":
        this.#note("api-500", marker);
        return { kind: "inject", label: "api-500", apply: () => this.sim.injectFailures(this.token, 1, { status: 500 }) };
      case "lost":
        return { kind: "lose-answer", label: "api-lost-answer", when: ok };
    }
  }

  done(ex: Exchange): void {
    const method = methodOf(ex.req);
    if (method === "getupdates") {
      if (ex.cut === "lost") {
        const markers = allMarkers(ex.answer?.body.toString("utf8") ?? "");
        this.ledger.fault({ at: ex.answeredAt ?? Date.now(), kind: "poll-lost-answer", network: "telegram", detail: markers.join(" ") || "updates without markers" });
      }
      return;
    }
    if (method !== "sendmessage") return;
    const marker = outboundMarker(ex.req.body.toString("utf8"), "telegram");
    if (ex.cut === "lost") this.#note("api-lost-answer", marker);
    this.ledger.call({
      network: "telegram",
      marker,
      at: ex.startedAt,
      answeredAt: ex.answeredAt,
      answer: ex.answer?.status ?? "none",
      taken: ex.answer !== undefined && ok(ex.answer),
      reachedGateway: ex.reachedClient,
      endedAt: Date.now(),
      fault: ex.verdict.kind === "pass" ? undefined : (ex.verdict.label as FaultKind),
    });
  }

  #note(kind: FaultKind, marker: string | undefined): void {
    this.ledger.fault({ at: Date.now(), kind, network: "telegram", ...(marker ? { marker } : {}) });
  }
}
