import type { Adapter, NetworkName } from "../src/core/adapter.ts";
import type { Config } from "../src/config/schema.ts";
import { createSmsAdapter } from "./sms-twilio/index.ts";

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
  return adapters;
}

/** Configured networks that have no adapter in this build (their sections are accepted but idle). */
export function unsupportedNetworks(config: Config): NetworkName[] {
  const built = new Set(createAdapters(config).map((a) => a.network));
  return (["sms", "telegram", "email"] as const).filter((n) => config.networks[n] && !built.has(n));
}
