import { component, xml, type Component } from "@xmpp/component";
import type { Element } from "@xmpp/xml";
import type { Logger } from "pino";
import { NS } from "./namespaces.ts";

export type LinkState = "connecting" | "online" | "offline" | "failed" | "stopped";

export interface ComponentLinkOptions {
  host: string;
  port: number;
  domain: string;
  secret: string;
  log: Logger;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  maxBackoffMs?: number;
}

/**
 * One XEP-0114 component connection. Replaces the library's fixed 1 s reconnect with exponential
 * backoff, stops for good on a wrong secret (retrying would never help and floods the server's
 * log), and keeps the link honest with XEP-0199 pings: a silent dead TCP connection is cut and
 * re-established instead of swallowing stanzas.
 */
export class ComponentLink {
  readonly domain: string;
  readonly xmpp: Component;
  state: LinkState = "offline";
  lastError: string | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly onlineListeners: Array<() => void> = [];
  private readonly log: Logger;
  private readonly opts: Required<Pick<ComponentLinkOptions, "pingIntervalMs" | "pingTimeoutMs" | "maxBackoffMs">>;

  constructor(options: ComponentLinkOptions) {
    this.domain = options.domain;
    this.log = options.log.child({ component: options.domain });
    this.opts = {
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
      pingTimeoutMs: options.pingTimeoutMs ?? 10_000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
    };
    this.xmpp = component({ service: `xmpp://${options.host}:${options.port}`, domain: options.domain, password: options.secret });
    this.xmpp.reconnect.stop();
    this.xmpp.on("error", (err: Error & { condition?: string }) => this.onError(err));
    this.xmpp.on("online", () => this.onOnline());
    this.xmpp.on("disconnect", () => this.onDisconnect());
  }

  get isUp(): boolean {
    return this.state === "online";
  }

  /** Called every time the link (re)connects. */
  onUp(fn: () => void): void {
    this.onlineListeners.push(fn);
  }

  async start(): Promise<void> {
    this.state = "connecting";
    await this.connect();
  }

  /**
   * Writes the stanzas in order as one socket write (the library's send() takes one element and
   * would silently drop the rest). Every stanza must carry its own `from`.
   */
  async send(...stanzas: Element[]): Promise<void> {
    if (!this.isUp) throw new Error(`component link ${this.domain} is ${this.state}`);
    if (stanzas.length === 1) return this.xmpp.send(stanzas[0]!);
    for (const s of stanzas) if (!s.attrs.from) s.attrs.from = this.domain;
    await this.xmpp.write(stanzas.map((s) => s.toString()).join(""));
  }

  async stop(): Promise<void> {
    this.state = "stopped";
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    try {
      if (this.xmpp.status !== "offline") await this.xmpp.stop();
    } catch (err) {
      this.log.debug({ err }, "error while closing the component stream");
    }
  }

  private async connect(): Promise<void> {
    if (this.state === "stopped" || this.state === "failed") return;
    try {
      if (this.xmpp.status === "offline") await this.xmpp.start();
      else {
        await this.xmpp_reconnect();
      }
    } catch (err) {
      this.lastError = (err as Error).message;
      if (this.xmpp.status !== "online") this.scheduleRetry();
    }
  }

  // The library's own reconnect sequence (connect + open) without its fixed-delay timer.
  private async xmpp_reconnect(): Promise<void> {
    const entity = this.xmpp as unknown as {
      connect(service: string): Promise<void>;
      open(o: { domain: string }): Promise<void>;
    };
    await entity.connect(this.xmpp.options.service);
    await entity.open({ domain: this.domain });
  }

  private scheduleRetry(): void {
    if (this.state === "stopped" || this.state === "failed") return;
    clearTimeout(this.retryTimer);
    this.attempt += 1;
    const base = Math.min(this.opts.maxBackoffMs, 500 * 2 ** (this.attempt - 1));
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.state = "connecting";
    this.log.info({ delayMs: delay, attempt: this.attempt, reason: this.lastError }, "component link down, reconnecting");
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private onOnline(): void {
    this.attempt = 0;
    this.lastError = undefined;
    this.state = "online";
    this.xmpp.socket?.setNoDelay?.(true);
    this.log.info("component link online");
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => void this.keepalive(), this.opts.pingIntervalMs);
    this.pingTimer.unref();
    for (const fn of this.onlineListeners) {
      try {
        fn();
      } catch (err) {
        this.log.error({ err }, "link-up listener failed");
      }
    }
  }

  private onDisconnect(): void {
    clearInterval(this.pingTimer);
    if (this.state === "stopped" || this.state === "failed") return;
    this.state = "offline";
    this.scheduleRetry();
  }

  private onError(err: Error & { condition?: string }): void {
    this.lastError = err.condition ?? err.message;
    if (err.condition === "not-authorized") {
      this.state = "failed";
      clearTimeout(this.retryTimer);
      this.log.error(
        { domain: this.domain },
        "the XMPP server rejected the component secret; fix networks.*.secret (not retrying)",
      );
      return;
    }
    if (err.condition === "conflict") {
      this.log.warn("another connection holds this component domain (a stale gateway?); retrying");
      return;
    }
    this.log.warn({ err: err.message, condition: err.condition }, "component link error");
  }

  /** Pings the server the component is attached to; no answer in time means a dead link. */
  private async keepalive(): Promise<void> {
    if (!this.isUp) return;
    const parent = this.domain.includes(".") ? this.domain.slice(this.domain.indexOf(".") + 1) : this.domain;
    try {
      await this.xmpp.iqCaller.request(
        xml("iq", { type: "get", to: parent, from: this.domain }, xml("ping", { xmlns: NS.ping })),
        this.opts.pingTimeoutMs,
      );
    } catch (err) {
      const e = err as Error & { name?: string };
      // An error reply still proves the link works; only silence means it is dead.
      if (e.name === "TimeoutError") {
        this.log.warn("keepalive ping timed out; dropping the link to reconnect");
        this.xmpp.socket?.destroy();
      }
    }
  }
}
