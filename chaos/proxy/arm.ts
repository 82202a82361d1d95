// "The next message the gateway sends on this network is in flight when the gateway dies": a
// one-shot arming a disruption sets just before a SIGKILL, and the policy fires on the next send.

export class Arm<M extends string> {
  #mode: M | undefined;
  #resolve: ((engaged: string | false) => void) | undefined;

  /** Resolves with what was caught (the message marker) once a send is caught in `mode`, false when disarmed first. */
  arm(mode: M): Promise<string | false> {
    this.disarm();
    this.#mode = mode;
    return new Promise((resolve) => (this.#resolve = resolve));
  }

  /** The mode for the request at hand, consuming the arming (undefined when not armed). */
  take(): { mode: M; engaged: (what: string | undefined) => void } | undefined {
    const mode = this.#mode;
    if (mode === undefined) return undefined;
    const resolve = this.#resolve;
    this.#mode = undefined;
    this.#resolve = undefined;
    return { mode, engaged: (what) => resolve?.(what ?? "a message") };
  }

  disarm(): void {
    this.#resolve?.(false);
    this.#mode = undefined;
    this.#resolve = undefined;
  }
}
