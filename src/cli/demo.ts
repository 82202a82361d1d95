// `switchboard demo`: the whole gateway on one machine, for trying it with a real XMPP client and
// no Twilio, Telegram or mail accounts. A private Prosody with TLS, the three network simulators,
// the embedded PostgreSQL and the gateway, in one foreground process that stops them all on
// SIGINT/SIGTERM. Everything lives in ./data/demo and starts fresh each time (the certificate is kept).
import type { Logger } from "pino";
import { missingPrograms } from "../demo/programs.ts";
import type { DemoOptions } from "../demo/launch.ts";
import type { CliContext } from "./context.ts";

const SHUTDOWN_DEADLINE_MS = 20_000;

/** A signal arrived while starting: stop what was started, exit 0. */
class Interrupted extends Error {}

export async function runDemo(ctx: CliContext, opts: DemoOptions): Promise<number> {
  let signalled: string | undefined;
  let wake: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  const onSignal = (signal: string) => {
    if (signalled) return; // a second Ctrl-C while stopping: the deadline below still holds
    signalled = signal;
    wake();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const missing = await missingPrograms();
  if (missing) throw new Error(missing);
  // Loaded only now: the gateway's modules take seconds to load, a missing program should not wait.
  const { launchDemo } = await import("../demo/launch.ts");
  const { renderFacts } = await import("../demo/instructions.ts");

  const teardown: Array<() => Promise<void>> = [];
  const started = (stop: () => Promise<void>) => {
    teardown.push(stop);
    if (signalled) throw new Interrupted();
  };
  let log: Logger | undefined;
  try {
    const facts = await launchDemo(opts, started, (l) => (log = l));
    if (!signalled) {
      ctx.out(ctx.json ? JSON.stringify(facts) : renderFacts(facts));
      log?.info({ jid: facts.xmpp.jid, port: facts.xmpp.port }, "demo ready");
    }
  } catch (err) {
    await unwind(teardown, log);
    if (err instanceof Interrupted) return 0;
    throw err;
  }
  await stopRequested;
  log?.info({ signal: signalled }, "demo stopping");
  const forced = setTimeout(() => {
    process.stderr.write(`switchboard: the demo took over ${SHUTDOWN_DEADLINE_MS / 1000} s to stop; exiting\n`);
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  forced.unref();
  const failure = await unwind(teardown, log);
  clearTimeout(forced);
  if (failure) throw failure;
  return 0;
}

/** Stops what was started, last first; every step runs. Returns the first failure. */
async function unwind(teardown: Array<() => Promise<void>>, log: Logger | undefined): Promise<Error | undefined> {
  let failure: Error | undefined;
  for (const stop of teardown.splice(0).reverse()) {
    try {
      await stop();
    } catch (err) {
      log?.error({ err }, "stopping part of the demo failed");
      failure ??= err instanceof Error ? err : new Error(String(err));
    }
  }
  return failure;
}
