// `npm run bench` (node --import tsx bench/main.ts): issue #5's benchmark. Starts its own Prosody,
// PostgreSQL, network simulators (Twilio, Telegram, SMTP relay) and gateway process, measures
// each path of each network, prints a report and optionally writes it as JSON.
import fs from "node:fs";
import { BenchEnv } from "./env/environment.ts";
import { DEPLOYED_NODE_FLAGS } from "./env/gatewayProcess.ts";
import { machineFacts } from "./machine.ts";
import { parseOptions, USAGE } from "./options.ts";
import { UNITS, type BenchReport } from "./report/model.ts";
import { render } from "./report/render.ts";
import { checkTargets } from "./report/targets.ts";
import { MIN_CEILING_MESSAGES, runSuite } from "./suite.ts";
import { xmppToTelegram } from "./paths/xmppToTelegram.ts";

const log = (s: string) => process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${s}\n`);
const t0 = performance.now();

async function main(): Promise<number> {
  let o;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const startedAt = new Date().toISOString();
  log("starting Prosody, PostgreSQL, the Twilio, Telegram and SMTP relay simulators; migrating; logging in users");
  const env = await BenchEnv.start({ users: o.users, durableDb: o.durableDb, concurrency: o.concurrency, profile: o.profile, logLevel: o.logLevel });
  let failed = false;
  try {
    const machine = await machineFacts(env.db.url, env.db.mode);
    const suite = await runSuite(env, o, log);
    const report: BenchReport = {
      units: UNITS,
      startedAt,
      seconds: (performance.now() - t0) / 1000,
      machine,
      settings: {
        messages: o.messages,
        prosodyAloneMessages: Math.max(o.messages, MIN_CEILING_MESSAGES),
        warmup: o.warmup,
        users: o.users,
        windowPerConnection: o.window,
        contactsPerUser: o.contactsPerUser,
        webhookConcurrency: o.webhookConcurrency,
        smtpSessions: o.smtpSessions,
        receiptsRequested: o.receipts,
        maxSeconds: o.maxSeconds,
        gatewayDeliveryConcurrency: o.concurrency ?? "the gateway's default",
        gatewayLogLevel: o.logLevel,
      },
      rows: suite.rows,
      ...(suite.scale ? { scale: suite.scale } : {}),
      targets: checkTargets(suite.rows, suite.scale, o.pacedRate),
      notes: notes(o.maxSeconds, o.concurrency, o.messages, o.receipts),
    };
    failed = report.rows.some((r) => r.measurement.aborted);
    console.log(render(report));
    if (o.json) {
      fs.writeFileSync(o.json, JSON.stringify(report, null, 2) + "\n");
      log(`wrote ${o.json}`);
    }
  } catch (err) {
    failed = true;
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    const tail = env.gateway?.logTail();
    if (tail) process.stderr.write(`gateway log tail:\n${tail}\n`);
  } finally {
    const keep = o.keep || failed;
    if (keep) log(`run directory kept: ${env.runDir}`);
    await env.close(keep);
  }
  return failed ? 1 : 0;
}

function notes(maxSeconds: number, concurrency: number | undefined, messages: number, receipts: boolean): string[] {
  return [
    ...(concurrency === undefined ? [] : [`The gateway runs with delivery.concurrency ${concurrency} (--concurrency), not its default.`]),
    ...(messages < MIN_CEILING_MESSAGES
      ? [`Prosody alone ran ${MIN_CEILING_MESSAGES} messages, not ${messages}, so that its run lasts about a second: a shorter one is mostly the first window's burst.`]
      : []),
    `The gateway runs with node ${DEPLOYED_NODE_FLAGS}, as the README's service unit sets it (a larger young generation: fewer collections).`,
    "The gateway's per-user send rate limit is raised to 1,000,000/min: a few benchmark users send thousands of messages a minute on purpose.",
    "Twilio status callbacks are ON: for every SMS the simulator posts 'sent' and 'delivered' webhooks (signed) back to the gateway, as Twilio does.",
    receipts
      ? "Every XMPP → network message asks for a delivery receipt (XEP-0184), as Conversations, Gajim and Dino do: the gateway turns each delivery report into a receipt stanza back to the user (--no-receipts: none asked)."
      : "--no-receipts: no XMPP → network message asks for a delivery receipt (real clients usually do).",
    "Telegram runs in the gateway's default polling mode: one long-poll getUpdates held per bot (each benchmark user registers its own bot), updates taken in batches. Each Telegram chat used by XMPP → Telegram first writes '/start' to the bot (unmeasured), as Telegram requires before a bot may write to someone.",
    "XMPP → Telegram is bounded by Telegram's flood limits, which the gateway keeps by spacing a bot's sends (about 30/s per bot, 1/s per chat): its ratio to Prosody alone says little about the gateway's cost; see its share of that limit, and its CPU per message.",
    "Email: XMPP → email arrives when the SMTP relay simulator has accepted the mail's data (the gateway sends through its pooled nodemailer transport); email → XMPP holds --smtp-sessions SMTP sessions open into the gateway's inbound listener, each sending mail after mail (pipelined MAIL/RCPT/DATA).",
    "Each gateway row runs on a freshly started gateway process (peak RSS = that row's own VmHWM), after an unmeasured warm-up of the same path; the measurement starts once the warm-up's status callbacks and receipts are worked through.",
    "Latency = arrival − send, both stamped with performance.now() in this process. Windowed runs keep every connection's window full, so their latency is mostly queueing (in flight ÷ rate); the paced run shows latency under a fixed load.",
    "The network simulators (Twilio, Telegram, SMTP relay) and the load generators share the benchmark process (the 'bench' CPU column); the gateway, Prosody and PostgreSQL are separate processes on the same cores.",
    `A path stops offering new messages after ${maxSeconds} s (XMPP → Telegram after ${Math.min(maxSeconds, xmppToTelegram.maxSeconds ?? maxSeconds)} s: Telegram's pace makes it slow by design) and is marked (capped); its rate is still completed ÷ elapsed.`,
  ];
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
