// The gateway's switchboard.yaml for the run: the fixture's own file (same secret key, database,
// ports) with the three network endpoints pointed at the fault proxies instead of the simulators.
import fs from "node:fs/promises";
import path from "node:path";

export interface Endpoints {
  twilioApiBase: string;
  telegramApiRoot: string;
  smtpPort: number;
}

export interface RelayAddress {
  host: string;
  port: number;
}

/** The relay simulator's address as the fixture configured it. */
export async function relayAddressOf(fixtureConfig: string): Promise<RelayAddress> {
  const yaml = await fs.readFile(fixtureConfig, "utf8");
  const m = /smtp: \{ url: "smtp:\/\/[^@"]*@([^:"]+):(\d+)" \}/.exec(yaml);
  if (!m) throw new Error(`no smtp url in ${fixtureConfig}`);
  return { host: m[1]!, port: Number(m[2]) };
}

export async function writeChaosConfig(fixtureConfig: string, sims: { twilioUrl: string; telegramUrl: string }, to: Endpoints): Promise<string> {
  let yaml = await fs.readFile(fixtureConfig, "utf8");
  const swap = (from: RegExp | string, by: string, what: string) => {
    const next = yaml.replace(from, by);
    if (next === yaml) throw new Error(`chaos config: could not point ${what} at its proxy`);
    yaml = next;
  };
  swap(`apiBase: "${sims.twilioUrl}"`, `apiBase: "${to.twilioApiBase}"`, "Twilio");
  swap(`apiRoot: "${sims.telegramUrl}"`, `apiRoot: "${to.telegramApiRoot}"`, "Telegram");
  swap(/(smtp: \{ url: "smtp:\/\/[^@"]*@[^:"]+:)\d+(" \})/, `$1${to.smtpPort}$2`, "the mail relay");
  const file = path.join(path.dirname(fixtureConfig), "chaos.yaml");
  await fs.writeFile(file, `# the fixture's configuration, network endpoints behind the chaos fault proxies\n${yaml}`);
  return file;
}
