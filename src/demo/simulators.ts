// The three networks the demo talks to, played by their simulators in this process on loopback
// ports: Twilio (REST + signed webhooks), the Telegram Bot API, and an SMTP relay. Each has its
// /_sim/ control API, which is how the person trying the demo plays the network contacts.
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import { TwilioSimulator } from "../../adapters/sms-twilio/simulator/index.ts";
import { TelegramSimulator } from "../../adapters/telegram/simulator/index.ts";
import { MailRelaySink, startControl } from "../../adapters/email/simulator/index.ts";

/** The operator's Twilio account in the demo; its numbers are the pool users get one of. */
export const DEMO_TWILIO_SID = "AC" + "d3d0".repeat(8);
export const DEMO_POOL = ["+15550001111", "+15550002222", "+15550003333"];
/** The contacts the instructions use (numbers in the 555-01xx range are fictional). */
export const SMS_CONTACT = "+15550102000";
export const TELEGRAM_BOT = { id: 7_000_001, username: "switchboard_demo_bot", firstName: "Switchboard demo" };
export const TELEGRAM_CONTACT = { id: 1001, firstName: "Alice", username: "alice_demo" };
export const EMAIL_CONTACT = { name: "Bob Smith", address: "bob@example.net" };

export interface DemoSimulators {
  twilio: { url: string; accountSid: string; authToken: string; sim: TwilioSimulator };
  telegram: { url: string; botToken: string; sim: TelegramSimulator };
  mail: { relayUrl: string; controlUrl: string; sink: MailRelaySink };
  stop(): Promise<void>;
}

/** `publicUrl` is the gateway's: Twilio posts the pool numbers' incoming texts there. */
export async function startSimulators(publicUrl: string): Promise<DemoSimulators> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const twilio = new TwilioSimulator({ deliveryDelayMs: 200 });
    stops.push(() => twilio.stop());
    const twilioUrl = await twilio.start(0);
    const authToken = randomBytes(16).toString("hex");
    twilio.addAccount({ sid: DEMO_TWILIO_SID, authToken, numbers: DEMO_POOL });
    for (const n of DEMO_POOL) twilio.setSmsUrl(n, `${publicUrl}/webhooks/twilio/sms`);

    const telegram = new TelegramSimulator();
    stops.push(() => telegram.stop());
    const telegramUrl = await telegram.start(0);
    const botToken = `${TELEGRAM_BOT.id}:${randomBytes(26).toString("base64url")}`;
    telegram.addBot({ token: botToken, ...TELEGRAM_BOT });
    telegram.addUser(TELEGRAM_CONTACT);

    const sink = new MailRelaySink({ user: "relay", password: randomBytes(12).toString("hex") });
    stops.push(() => sink.stop());
    const relay = await sink.start(0);
    const control = await startControl(sink, 0);
    stops.push(() => closeServer(control.server));

    return {
      twilio: { url: twilioUrl, accountSid: DEMO_TWILIO_SID, authToken, sim: twilio },
      telegram: { url: telegramUrl, botToken, sim: telegram },
      mail: { relayUrl: relay.url, controlUrl: control.url, sink },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}
