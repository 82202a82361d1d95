// Facts about the machine and software under test, printed and stored with the numbers.
import { execFile } from "node:child_process";
import os from "node:os";
import { withClient } from "./env/database.ts";

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  prosody: string;
  database: string;
  postgres: string;
}

export async function machineFacts(dbUrl: string, dbMode: string): Promise<MachineFacts> {
  const cpus = os.cpus();
  const [prosody, postgres] = await Promise.all([
    prosodyVersion(),
    withClient(dbUrl, async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? "?").catch(() => "?"),
  ]);
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "?",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    prosody,
    database: dbMode,
    postgres,
  };
}

// `prosody --version` would start a server; `prosodyctl about` only reports.
function prosodyVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile(process.env.PROSODYCTL_BIN ?? "prosodyctl", ["about"], { timeout: 15_000 }, (err, stdout) => {
      const line = stdout.split("\n").find((l) => /^Prosody\s/.test(l.trim()));
      resolve(line?.trim() ?? (err ? `unknown (${err.message})` : "unknown"));
    });
  });
}
