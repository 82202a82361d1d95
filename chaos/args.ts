// Command line of `npm run chaos`.
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

export interface ChaosOptions {
  seed: number;
  /** Numbered messages per direction per network. */
  messages: number;
  /** Gateway SIGKILLs (each followed by a restart). */
  kills: number;
  /** Prosody restarts (halt, pause, resume; the XMPP user reconnects). */
  prosodyRestarts: number;
  /** Times every PostgreSQL connection of the gateway's database is terminated. */
  dbCuts: number;
  /** Share of network API calls (and of inbound acknowledgements) that meet a fault. */
  faultRate: number;
  /** Milliseconds between two messages of one stream. */
  intervalMs: number;
  /** Upper bound on waiting for everything accepted to arrive once the traffic is over. */
  drainSeconds: number;
  json: string | undefined;
  gatewayLog: string;
}

export const USAGE = `usage: node --import tsx chaos/main.ts [--seed N] [--messages N] [--kills N] [--fault-rate F]
       [--prosody-restarts N] [--db-cuts N] [--interval-ms N] [--drain-seconds N] [--json FILE] [--gateway-log FILE]

  --seed N              seed of every random choice (default 1)
  --messages N          numbered messages per direction per network (default 200)
  --kills N             gateway SIGKILL + restart cycles (default 3)
  --fault-rate F        share of network calls answered with a fault (default 0.1)
  --prosody-restarts N  Prosody halt/resume cycles (default 2)
  --db-cuts N           times all PostgreSQL connections are terminated (default 3)
  --interval-ms N       pace of each of the six message streams (default 1250; Telegram
                        lets a bot write about one message a second to a chat)
  --drain-seconds N     how long to wait at the end for accepted messages (default 120)
  --json FILE           write the full report as JSON
  --gateway-log FILE    where the gateway's debug log goes (default: a file in the temp dir)

Exit status: 0 nothing lost or doubled outside the documented windows; 1 otherwise; 2 bad usage.`;

export class UsageError extends Error {}

export function parseOptions(argv: string[]): ChaosOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        seed: { type: "string" },
        messages: { type: "string" },
        kills: { type: "string" },
        "fault-rate": { type: "string" },
        "prosody-restarts": { type: "string" },
        "db-cuts": { type: "string" },
        "interval-ms": { type: "string" },
        "drain-seconds": { type: "string" },
        json: { type: "string" },
        "gateway-log": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return "help";
  const seed = int(values.seed, "seed", 1, 0);
  return {
    seed,
    messages: int(values.messages, "messages", 200, 1),
    kills: int(values.kills, "kills", 3, 0),
    prosodyRestarts: int(values["prosody-restarts"], "prosody-restarts", 2, 0),
    dbCuts: int(values["db-cuts"], "db-cuts", 3, 0),
    faultRate: rate(values["fault-rate"]),
    intervalMs: int(values["interval-ms"], "interval-ms", 1250, 50),
    drainSeconds: int(values["drain-seconds"], "drain-seconds", 120, 5),
    json: values.json,
    gatewayLog: values["gateway-log"] ?? path.join(os.tmpdir(), `switchboard-chaos-seed${seed}-${process.pid}.log`),
  };
}

function int(raw: string | undefined, name: string, dflt: number, min: number): number {
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got ${raw}`);
  return Number(raw);
}

function rate(raw: string | undefined): number {
  if (raw === undefined) return 0.1;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0 || v > 0.9) throw new UsageError(`--fault-rate must be a number from 0 to 0.9, got ${raw}`);
  return v;
}
