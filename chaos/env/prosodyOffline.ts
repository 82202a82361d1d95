// The fixture's Prosody has no offline storage; every real deployment has it. Without it, a
// message the gateway passes on in the moment between Prosody coming back and the user's client
// logging in again is bounced by the server — a property of the test server, not of the gateway.
// The run adds mod_offline to the private server's generated configuration and restarts it.
import fs from "node:fs/promises";
import path from "node:path";
import type { ProsodyInstance } from "../../test/support/prosody.ts";

export async function enableOfflineStorage(prosody: ProsodyInstance): Promise<void> {
  const file = path.join(prosody.dir, "prosody.cfg.lua");
  const text = await fs.readFile(file, "utf8");
  if (text.includes('"offline"')) return;
  const next = text.replace(/modules_enabled = \{([^}]*)\}/, (_m, list: string) => `modules_enabled = {${list.trimEnd()}, "offline" }`);
  if (next === text) throw new Error(`could not enable mod_offline in ${file}`);
  await fs.writeFile(file, next);
  await prosody.restart();
}
