// Standalone simulator for the demo and manual testing:
//   node --import tsx adapters/telegram/simulator/main.ts --port 8090 \
//     --bot 123456:AAbbCC:123456:demo_bot [--bot …] [--user 1001:Alice[:alice]] [--host 127.0.0.1]
// Users and groups can also be added later through the /_sim/ control API.
import { parseArgs } from "node:util";
import { portArg, runStandalone } from "../../simulatorKit/standalone.ts";
import { TelegramSimulator } from "./server.ts";

/** TOKEN:ID:USERNAME — the token has a colon of its own, so split from the right. */
function parseBot(spec: string): { token: string; id: number; username: string } {
  const parts = spec.split(":");
  const username = parts.pop();
  const id = Number(parts.pop());
  const token = parts.join(":");
  if (!username || !Number.isSafeInteger(id) || !token) {
    throw new Error(`--bot must be TOKEN:ID:USERNAME (e.g. 123:AAbb:123:demo_bot), got …:${username ?? ""}`);
  }
  return { token, id, username };
}

function parseUser(spec: string): { id: number; firstName: string; username?: string } {
  const [id, firstName, username] = spec.split(":");
  if (!id || !firstName || !Number.isSafeInteger(Number(id))) throw new Error(`--user must be ID:FIRSTNAME[:USERNAME], got ${spec}`);
  return { id: Number(id), firstName, ...(username ? { username } : {}) };
}

async function main(): Promise<() => Promise<void>> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8090" },
      host: { type: "string", default: "127.0.0.1" },
      bot: { type: "string", multiple: true, default: [] },
      user: { type: "string", multiple: true, default: [] },
    },
    strict: true,
  });
  const port = portArg("port", values.port ?? "8090");
  const sim = new TelegramSimulator();
  for (const spec of values.bot ?? []) {
    const bot = parseBot(spec);
    sim.addBot(bot);
    // The token stays out of the log.
    console.log(`bot @${bot.username} (id ${bot.id})`);
  }
  for (const spec of values.user ?? []) {
    const user = parseUser(spec);
    sim.addUser(user);
    console.log(`user ${user.firstName} (id ${user.id})`);
  }
  const url = await sim.start(port, values.host);
  console.log(`telegram simulator listening on ${url} (apiRoot ${url}/)`);
  return () => sim.stop();
}

runStandalone("telegram simulator", main);
