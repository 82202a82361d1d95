import { App } from "../app.ts";
import { createLogger } from "../log.ts";
import { loadCliConfig, type CliContext } from "./context.ts";

/** Runs the gateway until SIGINT/SIGTERM, then shuts down cleanly (goodbye presence, queue drained). */
export async function runStart(ctx: CliContext, opts: { migrate: boolean }): Promise<number> {
  const config = await loadCliConfig(ctx);
  const log = createLogger(config.log.level);
  // graphile-worker 0.17 fires some job bookkeeping without awaiting it; when PostgreSQL cuts the
  // connection at that moment the rejection is unhandled, and Node would exit. Every row is
  // durable and the sweeper re-arms wake-ups, so logging and carrying on is the safe answer.
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection (carrying on)"));
  const app = new App(config, log);
  await app.start({ migrate: opts.migrate });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, "shutting down");
      resolve();
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  const forced = setTimeout(() => {
    log.error("shutdown took over 15 s; exiting");
    process.exit(1);
  }, 15_000);
  forced.unref();
  await app.stop();
  return 0;
}
