// Standalone outbound relay sink for the demo and manual testing:
//   node --import tsx adapters/email/simulator/main.ts --port 2526 [--host 127.0.0.1] \
//     [--user relay --password secret] [--size BYTES] [--control-port 8090]
// Prints one line per accepted mail: queue id, envelope, size, Message-ID. Never bodies or subjects.
import { parseArgs } from "node:util";
import { startControl } from "./control.ts";
import { MailRelaySink, type MailRelaySinkOptions } from "./sink.ts";

function intOf(name: string, v: string, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`bad --${name} ${v}`);
  return n;
}
const portOf = (name: string, v: string) => intOf(name, v, 65535);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "2526" },
      host: { type: "string", default: "127.0.0.1" },
      user: { type: "string" },
      password: { type: "string" },
      size: { type: "string" },
      "control-port": { type: "string" },
    },
    strict: true,
  });
  const opts: MailRelaySinkOptions = {};
  if (values.user !== undefined) opts.user = values.user;
  if (values.password !== undefined) opts.password = values.password;
  if (values.size !== undefined) opts.size = intOf("size", values.size, Number.MAX_SAFE_INTEGER);
  const sink = new MailRelaySink(opts);
  sink.onMail((m) => {
    const to = m.envelope.to.map((a) => `<${a}>`).join(",");
    console.log(`${m.id} from=<${m.envelope.from}> to=${to} size=${m.raw.length} message-id=${m.messageId ?? "-"}`);
  });
  const addr = await sink.start(portOf("port", values.port ?? "2526"), values.host);
  // The password stays out of the log.
  const auth = values.user === undefined ? "no auth" : `auth user ${values.user}`;
  console.log(`email relay sink listening on smtp://${values.host}:${addr.port} (${auth})`);
  const control = values["control-port"] === undefined
    ? undefined
    : await startControl(sink, portOf("control-port", values["control-port"]), values.host);
  if (control) console.log(`control API on ${control.url}/_sim/`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    control?.server.closeAllConnections();
    control?.server.close();
    sink.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  console.error(`email relay sink: ${(err as Error).message}`);
  process.exit(1);
});
