import type http from "node:http";
import { Arrivals } from "../../simulatorKit/arrivals.ts";
import { type HttpListener, listenHttp } from "../../simulatorKit/listen.ts";
import { AccountStore } from "./accounts.ts";
import { handleControl } from "./control.ts";
import { type CallbackAttempt, DeliveryScheduler } from "./delivery.ts";
import { HttpError, notFound, sendError, twilioErrorBody } from "./http.ts";
import { inboundParams } from "./inbound.ts";
import { handleRest } from "./rest.ts";
import { newSid } from "./sids.ts";
import { WebhookPoster } from "./signature.ts";
import type {
  FailureSpec,
  InboundOptions,
  InboundResult,
  Outcome,
  PostResult,
  SimMessage,
} from "./types.ts";

export interface TwilioSimulatorOptions {
  /** Delay before each status step (queued→sent, sent→delivered). Default 20 ms. */
  deliveryDelayMs?: number;
}

/** An in-process Twilio: real REST wire format, signed webhooks, fault injection. */
export class TwilioSimulator {
  readonly sent: SimMessage[] = [];
  /** Every authenticated Messages.create request, including rejected, faulted and hung ones. */
  createCalls = 0;

  readonly #accounts = new AccountStore();
  readonly #messages = new Map<string, SimMessage>();
  readonly #failures: FailureSpec[] = [];
  readonly #outcomes = new Map<string, Outcome>();
  readonly #sentArrivals = new Arrivals<SimMessage>();
  readonly #poster = new WebhookPoster();
  readonly #delivery: DeliveryScheduler;
  #hang = 0;
  #stopped = false;
  #listener: HttpListener | undefined;

  constructor(opts: TwilioSimulatorOptions = {}) {
    this.#delivery = new DeliveryScheduler(
      this.#poster,
      opts.deliveryDelayMs ?? 20,
      (sid) => this.#accounts.get(sid)?.authToken,
    );
  }

  /** Base URL of the running server, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    if (!this.#listener) throw new Error("TwilioSimulator is not started");
    return this.#listener.url;
  }

  /** Status callback posts made so far, with the receiver's answer. */
  get callbackAttempts(): readonly CallbackAttempt[] {
    return this.#delivery.attempts;
  }

  async start(port = 0, host = "127.0.0.1"): Promise<string> {
    // Timers and agents are torn down by stop(); a fresh instance is cheaper than reviving them.
    if (this.#listener || this.#stopped) throw new Error("TwilioSimulator can be started only once");
    this.#listener = await listenHttp((req, res) => void this.#handle(req, res), port, host);
    return this.#listener.url;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#delivery.stop();
    this.#poster.destroy();
    const listener = this.#listener;
    this.#listener = undefined;
    // Also ends hung requests (hangNext) and in-flight ones.
    await listener?.stop();
  }

  addAccount(a: { sid: string; authToken: string; numbers: string[] }): void {
    this.#accounts.add(a);
  }

  setSmsUrl(number: string, url: string): void {
    this.#accounts.setSmsUrl(number, url);
  }

  /** The next `count` Messages.create calls answer with this error instead of creating. */
  injectFailures(count: number, spec: FailureSpec): void {
    for (let i = 0; i < count; i++) this.#failures.push({ ...spec });
  }

  /** Drops every injected failure not used yet. */
  clearFailures(): void {
    this.#failures.length = 0;
  }

  /** The next `count` Messages.create calls never get an answer (until stop()). */
  hangNext(count: number): void {
    this.#hang += count;
  }

  /** Messages to `to` end in this status (after `sent`) instead of `delivered`. */
  setOutcome(to: string, outcome: Outcome): void {
    this.#outcomes.set(to, { ...outcome });
  }

  clearOutcome(to: string): void {
    this.#outcomes.delete(to);
  }

  waitForSent(pred: (m: SimMessage) => boolean, timeoutMs = 2_000): Promise<SimMessage> {
    return this.#sentArrivals.waitFor(this.sent, pred, timeoutMs, () => `waitForSent: no matching message within ${timeoutMs} ms (${this.sent.length} sent)`);
  }

  /** Post an inbound SMS/MMS webhook to the `to` number's SmsUrl, signed as Twilio would. */
  async deliverInbound(opts: InboundOptions): Promise<InboundResult> {
    const number = this.#accounts.number(opts.to);
    if (!number) throw new Error(`deliverInbound: ${opts.to} is not a simulator number`);
    if (!number.smsUrl) throw new Error(`deliverInbound: ${opts.to} has no SmsUrl`);
    const account = this.#accounts.get(number.accountSid);
    if (!account) throw new Error(`deliverInbound: account ${number.accountSid} missing`);
    const mediaUrls = opts.mediaUrls ?? [];
    const messageSid = opts.messageSid ?? newSid(mediaUrls.length ? "MM" : "SM");
    const params = inboundParams({
      messageSid,
      accountSid: account.sid,
      from: opts.from,
      to: opts.to,
      body: opts.body,
      mediaUrls,
    });
    const token = opts.unsigned ? null : (opts.authTokenOverride ?? account.authToken);
    const res = await this.#poster.post(number.smsUrl, params, token);
    return { ...res, messageSid };
  }

  /** POST any form to `url` signed with `authToken`; `null` sends it without a signature. */
  postSigned(url: string, params: Record<string, string>, authToken: string | null): Promise<PostResult> {
    return this.#poster.post(url, params, authToken);
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://simulator.invalid");
      if (url.pathname.startsWith("/_sim/")) await handleControl(req, res, url, this);
      else if (url.pathname.startsWith("/2010-04-01/")) await handleRest(req, res, url, this.#restState);
      else throw notFound(url.pathname);
    } catch (err) {
      if (res.headersSent || res.destroyed) return void res.destroy();
      if (err instanceof HttpError) return sendError(res, err);
      // A bug in the simulator must look like a Twilio 500, not kill the test run.
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify(twilioErrorBody(500, 20500, `Internal Server Error: ${String(err)}`)));
    }
  }

  readonly #restState = {
    accounts: this.#accounts,
    message: (sid: string) => this.#messages.get(sid),
    messagesOf: (accountSid: string) => this.sent.filter((m) => m.accountSid === accountSid),
    nextCreateFault: (): "hang" | FailureSpec | null => {
      this.createCalls++;
      if (this.#hang > 0) {
        this.#hang--;
        return "hang";
      }
      return this.#failures.shift() ?? null;
    },
    accept: (m: SimMessage) => {
      this.#messages.set(m.sid, m);
      this.sent.push(m);
      this.#delivery.start(m, this.#outcomes.get(m.to));
      this.#sentArrivals.notify(m);
    },
  };
}
