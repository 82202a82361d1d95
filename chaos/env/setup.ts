// The three conversations exist before the run: each contact writes first (a Telegram user must
// start the bot before it may write to them), the user sees it, and accepts the contact.
import { xml } from "@xmpp/client";
import type { TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";
import { sendMail } from "../../adapters/email/simulator/index.ts";
import type { Fixture } from "../../test/support/gatewayFixture.ts";
import type { Network } from "../types.ts";
import { until } from "../util.ts";
import type { ChatUser } from "../xmpp/chatUser.ts";
import type { Contact } from "./chaosEnv.ts";

export interface SetupDeps {
  fx: Fixture;
  telegram: TelegramSimulator;
  inboundSmtp: { host: string; port: number };
  user: ChatUser;
  contacts: Record<Network, Contact>;
  token: string;
}

export async function establishContacts(d: SetupDeps): Promise<void> {
  const { contacts } = d;
  d.telegram.userSends(d.token, Number(contacts.telegram.address), "/start");
  const sms = await d.fx.twilio.deliverInbound({ from: contacts.sms.address, to: contacts.sms.account, body: "hello from the phone" });
  if (sms.status !== 200) throw new Error(`setup: the first SMS got ${sms.status}`);
  const mail = await sendMail(d.inboundSmtp, { from: { name: "Bob Outside", address: contacts.email.address }, to: contacts.email.account, subject: "hello", text: "hello from mail" });
  if (mail.code !== 250) throw new Error(`setup: the first mail got ${mail.code} ${mail.response}`);
  for (const c of Object.values(contacts)) {
    const seen = await until(() => d.user.received.some((r) => r.name === "message" && r.from === c.jid && r.body !== null), 20_000);
    if (!seen) throw new Error(`setup: the first ${c.network} message from ${c.jid} never reached the XMPP user`);
    await d.user.send(xml("presence", { to: c.jid, type: "subscribed" }));
    await d.user.send(xml("presence", { to: c.jid, type: "subscribe" }));
  }
}
