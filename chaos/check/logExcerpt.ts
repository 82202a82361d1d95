// Lines of the gateway's log that concern an anomaly: those naming its ids, and warnings or
// errors logged around its moments.
import fs from "node:fs/promises";
import type { Anomaly } from "./types.ts";

const MAX_NAMED = 12;
const MAX_AROUND = 8;
const AROUND_MS = 1_500;
const MAX_LINE = 400;

interface Line {
  text: string;
  time: number | undefined;
  level: number | undefined;
  /** Lines with the same message and error text are one line in an excerpt. */
  signature: string;
}

export async function attachLogExcerpts(file: string, anomalies: Anomaly[]): Promise<void> {
  if (anomalies.length === 0) return;
  const text = await fs.readFile(file, "utf8").catch(() => "");
  const lines: Line[] = text.split("\n").filter((l) => l.trim() !== "").map(parse);
  for (const a of anomalies) {
    const named = lines.filter((l) => a.needles.some((n) => n !== "" && l.text.includes(n))).slice(0, MAX_NAMED);
    const repeats = new Map<string, number>();
    const around = lines
      .filter((l) => (l.level ?? 0) >= 40 && l.time !== undefined && a.moments.some((m) => Math.abs(m - l.time!) <= AROUND_MS))
      .filter((l) => !named.includes(l))
      .filter((l) => {
        const n = repeats.get(l.signature) ?? 0;
        repeats.set(l.signature, n + 1);
        return n === 0;
      })
      .slice(0, MAX_AROUND);
    const shown = (l: Line) => {
      const text = l.text.length > MAX_LINE ? `${l.text.slice(0, MAX_LINE)}…` : l.text;
      const n = around.includes(l) ? (repeats.get(l.signature) ?? 1) : 1;
      return n > 1 ? `${text}  [and ${n - 1} more like it]` : text;
    };
    a.log = [...named, ...around].sort((x, y) => (x.time ?? 0) - (y.time ?? 0)).map(shown);
  }
}

function parse(text: string): Line {
  if (!text.startsWith("{")) return { text, time: undefined, level: undefined, signature: text };
  try {
    const j = JSON.parse(text) as { time?: number; level?: number; msg?: string; err?: { message?: string } };
    return { text, time: j.time, level: j.level, signature: `${j.msg ?? ""}|${j.err?.message ?? ""}` };
  } catch {
    return { text, time: undefined, level: undefined, signature: text };
  }
}
