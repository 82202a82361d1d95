import type { Adapter } from "../src/core/adapter.ts";
import type { Config } from "../src/config/schema.ts";
import { createSmsAdapter } from "./sms-twilio/index.ts";
import { createEmailAdapter } from "./email/index.ts";
import { createTelegramAdapter } from "./telegram/index.ts";

/**
 * The one list of networks. A network is on when its config section exists; adding a network is
 * a new folder under adapters/ and one entry here.
 */
export function createAdapters(config: Config): Adapter[] {
  const adapters: Adapter[] = [];
  const sms = config.networks.sms;
  if (sms) {
    adapters.push(
      createSmsAdapter({ defaultRegion: sms.defaultRegion, twilio: sms.twilio, publicUrl: config.http.publicUrl }),
    );
  }
  const telegram = config.networks.telegram;
  if (telegram) adapters.push(createTelegramAdapter({ apiRoot: telegram.apiRoot, mode: telegram.mode, publicUrl: config.http.publicUrl }));
  if (config.networks.email) adapters.push(createEmailAdapter(config.networks.email));
  return adapters;
}
