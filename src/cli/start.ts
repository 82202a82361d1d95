import { App } from "../app.ts";
import { createLogger } from "../log.ts";
import { loadCliConfig, type CliContext } from "./context.ts";

/** Runs the gateway until SIGINT/SIGTERM, then shuts down cleanly (goodbye presence, queue drained). */
export async function runStart(ctx: CliContext, opts: { migrate: boolean }): Promise<number> {
  const config = await loadCliConfig(ctx);
  const log = createLogger(config.log.level);
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
