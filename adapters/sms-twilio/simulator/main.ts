// Standalone simulator for the demo and manual testing:
//   node --import tsx adapters/sms-twilio/simulator/main.ts --port 8089 \
//     --account ACxxx:token:+15550001111,+15550002222 [--account …] [--host 127.0.0.1] [--delivery-delay-ms 20]
import { parseArgs } from "node:util";
import { portArg, runStandalone } from "../../simulatorKit/standalone.ts";
import { TwilioSimulator } from "./server.ts";

function parseAccount(spec: string): { sid: string; authToken: string; numbers: string[] } {
  // SID:TOKEN:NUMBERS — split on the first and last colon so nothing else is assumed about the token.
  const first = spec.indexOf(":");
  const last = spec.lastIndexOf(":");
  if (first < 0 || last === first) throw new Error(`--account must be SID:TOKEN:+NUMBER[,+NUMBER…], got ${spec.split(":")[0]}:…`);
  const numbers = spec.slice(last + 1).split(",").map((n) => n.trim()).filter(Boolean);
  return { sid: spec.slice(0, first), authToken: spec.slice(first + 1, last), numbers };
}

async function main(): Promise<() => Promise<void>> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8089" },
      host: { type: "string", default: "127.0.0.1" },
      account: { type: "string", multiple: true, default: [] },
      "delivery-delay-ms": { type: "string" },
    },
    strict: true,
  });
  const port = portArg("port", values.port ?? "8089");
  const delay = values["delivery-delay-ms"];
  const sim = new TwilioSimulator(delay === undefined ? {} : { deliveryDelayMs: Number(delay) });
  for (const spec of values.account ?? []) {
    const account = parseAccount(spec);
    sim.addAccount(account);
    // The token stays out of the log.
    console.log(`account ${account.sid}: ${account.numbers.join(", ") || "(no numbers)"}`);
  }
  const url = await sim.start(port, values.host);
  console.log(`twilio simulator listening on ${url}`);
  return () => sim.stop();
}

runStandalone("twilio simulator", main);
