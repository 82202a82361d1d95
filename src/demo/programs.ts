// The programs the demo runs, looked up before anything starts so a missing one is one clear line.
import { constants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";

async function executable(file: string): Promise<boolean> {
  try {
    await fs.access(file, constants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Whether `command` runs: a path that is executable, or a name found on $PATH. */
export async function onPath(command: string): Promise<boolean> {
  if (command.includes("/")) return executable(command);
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && (await executable(path.join(dir, command)))) return true;
  }
  return false;
}

/** Why the demo cannot run here, or undefined. `prosody --version` would start a server: not used. */
export async function missingPrograms(): Promise<string | undefined> {
  const prosody = process.env.PROSODY_BIN ?? "prosody";
  const prosodyctl = process.env.PROSODYCTL_BIN ?? "prosodyctl";
  if (!(await onPath(prosody)) || !(await onPath(prosodyctl))) {
    return "Prosody is not installed (the demo runs a private one, never the system service): apt-get install prosody";
  }
  if (!(await onPath(process.env.OPENSSL_BIN ?? "openssl"))) {
    return "openssl is not installed (the demo makes its TLS certificate with it): apt-get install openssl";
  }
  return undefined;
}
