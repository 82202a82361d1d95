// Standalone outbound relay sink for the demo and manual testing:
//   node --import tsx adapters/email/simulator/main.ts --port 2526 [--host 127.0.0.1] \
//     [--user relay --password secret] [--size BYTES] [--control-port 8090]
// Prints one line per accepted mail: queue id, envelope, size, Message-ID. Never bodies or subjects.
import { parseArgs } from "node:util";
import { intArg, portArg, runStandalone } from "../../simulatorKit/standalone.ts";
import { startControl } from "./control.ts";
import { MailRelaySink, type MailRelaySinkOptions } from "./sink.ts";

async function main(): Promise<() => Promise<void>> {
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
  if (values.size !== undefined) opts.size = intArg("size", values.size, Number.MAX_SAFE_INTEGER);
  const sink = new MailRelaySink(opts);
  sink.onMail((m) => {
    const to = m.envelope.to.map((a) => `<${a}>`).join(",");
    console.log(`${m.id} from=<${m.envelope.from}> to=${to} size=${m.raw.length} message-id=${m.messageId ?? "-"}`);
  });
  const addr = await sink.start(portArg("port", values.port ?? "2526"), values.host);
  // The password stays out of the log.
  const auth = values.user === undefined ? "no auth" : `auth user ${values.user}`;
  console.log(`email relay sink listening on smtp://${values.host}:${addr.port} (${auth})`);
  const control = values["control-port"] === undefined
    ? undefined
    : await startControl(sink, portArg("control-port", values["control-port"]), values.host);
  if (control) console.log(`control API on ${control.url}/_sim/`);
  return () => {
    control?.server.closeAllConnections();
    control?.server.close();
    return sink.stop();
  };
}

runStandalone("email relay sink", main);
