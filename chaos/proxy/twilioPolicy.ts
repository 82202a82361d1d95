// Faults on the Twilio REST API. Each Messages.create meets, with probability `rate`, one of:
// 429 with Retry-After (simulator), 500 (simulator), a hang (simulator: never answered, nothing
// created), or a lost answer (the simulator created the message; the proxy cuts the connection
// before the 201 reaches the gateway). Armed before a kill: the next create is hung, or its 201
// is held back until the gateway dies.
import type { TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import type { FaultKind, Ledger } from "../ledger.ts";
import type { Rng } from "../../test/support/rng.ts";
import { outboundMarker } from "../types.ts";
import { Arm } from "./arm.ts";
import type { Exchange, ProxiedRequest, ProxyPolicy, Verdict } from "./httpFaultProxy.ts";

const CREATE = /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json(\?|$)/;
const HOLD_MAX_MS = 20_000;

export class TwilioPolicy implements ProxyPolicy {
  readonly arm = new Arm<"hold" | "hang">();

  constructor(
    private readonly sim: TwilioSimulator,
    private readonly rng: Rng,
    /** Share of calls that meet a fault; 0 during setup. */
    public rate: number,
    private readonly ledger: Ledger,
  ) {}

  decide(req: ProxiedRequest): Verdict<FaultKind> {
    if (!CREATE.test(req.path)) return { kind: "pass" };
    if (req.method !== "POST") return { kind: "pass" };
    const marker = outboundMarker(decodeForm(req.body), "sms");
    const armed = this.arm.take();
    if (armed?.mode === "hang") {
      this.#note("api-hung-in-flight", marker);
      // Engaged a moment after forwarding, once the simulator has surely taken the request.
      return { kind: "inject", label: "api-hung-in-flight", apply: () => (this.sim.hangNext(1), void setTimeout(() => armed.engaged(marker), 200)) };
    }
    if (armed?.mode === "hold") {
      return { kind: "hold-answer", label: "api-held-at-kill", maxMs: HOLD_MAX_MS, when: (a) => a.status === 201, onHeld: () => {
        this.#note("api-held-at-kill", marker);
        armed.engaged(marker);
      } };
    }
    if (!this.rng.chance(this.rate)) return { kind: "pass" };
    switch (this.rng.pick(["429", "500", "hang", "lost"] as const)) {
      case "429":
        this.#note("api-429", marker);
        return { kind: "inject", label: "api-429", apply: () => this.sim.injectFailures(1, { status: 429, retryAfterSeconds: 1 }) };
      case "500":
        this.#note("api-500", marker);
        return { kind: "inject", label: "api-500", apply: () => this.sim.injectFailures(1, { status: 500 }) };
      case "hang":
        this.#note("api-hang", marker);
        return { kind: "inject", label: "api-hang", apply: () => this.sim.hangNext(1) };
      case "lost":
        return { kind: "lose-answer", label: "api-lost-answer", when: (a) => a.status === 201 };
    }
  }

  done(ex: Exchange): void {
    const path = ex.req.path;
    if (ex.req.method === "GET" && /\/Messages\.json/.test(path)) {
      this.ledger.lookups.push({ at: ex.startedAt, status: ex.answer?.status ?? "none" });
      return;
    }
    if (ex.req.method !== "POST" || !CREATE.test(path)) return;
    const marker = outboundMarker(decodeForm(ex.req.body), "sms");
    const label = ex.verdict.kind === "pass" ? undefined : (ex.verdict.label as FaultKind);
    if (ex.cut === "lost") this.#note("api-lost-answer", marker);
    this.ledger.call({
      network: "sms",
      marker,
      at: ex.startedAt,
      answeredAt: ex.answeredAt,
      answer: ex.answer?.status ?? "none",
      taken: ex.answer?.status === 201,
      reachedGateway: ex.reachedClient,
      endedAt: Date.now(),
      fault: label,
    });
  }

  #note(kind: FaultKind, marker: string | undefined): void {
    this.ledger.fault({ at: Date.now(), kind, network: "sms", ...(marker ? { marker } : {}) });
  }
}

function decodeForm(body: Buffer): string {
  try {
    return decodeURIComponent(body.toString("utf8").replace(/\+/g, " "));
  } catch {
    return body.toString("utf8");
  }
}
