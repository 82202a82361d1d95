import { loadConfig } from "../config/load.ts";
import type { Config } from "../config/schema.ts";

export interface CliContext {
  configPath: string | undefined;
  json: boolean;
  out: (line: string) => void;
}

export function loadCliConfig(ctx: CliContext): Promise<Config> {
  return loadConfig({ path: ctx.configPath });
}
