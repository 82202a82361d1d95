// Small helpers shared by the chaos run: sleeping, waiting for a condition, time stamps.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** Polls `check` every `everyMs` until it is true; false when `timeoutMs` passed first. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/** Seconds since `t0`, for log lines and reports: "+12.345s". */
export function rel(t: number, t0: number): string {
  return `+${((t - t0) / 1000).toFixed(3)}s`;
}

export function errText(err: unknown): string {
  if (err instanceof Error) return (err as Error & { code?: string }).code ? `${(err as Error & { code?: string }).code}: ${err.message}` : err.message;
  return String(err);
}

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}
