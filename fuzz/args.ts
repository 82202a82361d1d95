// The fuzzer's command line (USAGE below).

export interface Args {
  seed: number;
  count: number;
  json: string | undefined;
  gatewayLog: string | undefined;
  requireRateLimit: boolean;
  /**
   * networks.sms.rateLimit.perUserPerMinute for the run. Default 200: high enough that most random
   * messages reach the message handler instead of the limiter (the product default is 30).
   */
  perUserPerMinute: number;
  /** delivery.concurrency for the run; unset = the product default. */
  deliveryConcurrency: number | undefined;
}

export const USAGE = "usage: node --import tsx fuzz/main.ts [--seed N (default 1)] [--count N (default 2000)] [--json FILE] [--gateway-log FILE] [--require-rate-limit] [--per-user-per-minute N (default 200)] [--delivery-concurrency N (default: the gateway's)]";

export function parseArgs(argv: string[]): Args | string {
  const a: Args = { seed: 1, count: 2000, json: undefined, gatewayLog: undefined, requireRateLimit: false, perUserPerMinute: 200, deliveryConcurrency: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (min: number) => {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < min) throw new Error(`${flag} needs a whole number ≥ ${min}, got '${v}'`);
      return Number(v);
    };
    try {
      if (flag === "--seed") a.seed = int(0);
      else if (flag === "--count") a.count = int(1);
      else if (flag === "--json") a.json = value();
      else if (flag === "--gateway-log") a.gatewayLog = value();
      else if (flag === "--require-rate-limit") a.requireRateLimit = true;
      else if (flag === "--per-user-per-minute") a.perUserPerMinute = int(1);
      else if (flag === "--delivery-concurrency") a.deliveryConcurrency = int(1);
      else if (flag === "--help" || flag === "-h") return USAGE;
      else return `unknown option ${flag}\n${USAGE}`;
    } catch (err) {
      return `${(err as Error).message}\n${USAGE}`;
    }
  }
  return a;
}
