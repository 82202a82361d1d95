// What a simulator's standalone main.ts needs besides the simulator: argv numbers checked the
// same way everywhere, and a process that runs until SIGINT/SIGTERM and then stops cleanly.

/** A whole number from 0 to `max` given as `--name`; throws naming the option otherwise. */
export function intArg(name: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`bad --${name} ${value}`);
  return n;
}

export const portArg = (name: string, value: string): number => intArg(name, value, 65535);

/**
 * Runs `start`; what it resolves to stops everything on the first SIGINT or SIGTERM, then the
 * process exits (1 when stopping failed). A failed start prints `name: message` and exits 1.
 */
export function runStandalone(name: string, start: () => Promise<() => Promise<void>>): void {
  start().then(
    (stop) => {
      let stopping = false;
      const shutdown = (signal: string) => {
        if (stopping) return;
        stopping = true;
        console.log(`${signal}: stopping`);
        stop().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.on("SIGINT", () => shutdown("SIGINT"));
      process.on("SIGTERM", () => shutdown("SIGTERM"));
    },
    (err: unknown) => {
      console.error(`${name}: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
