import { loadCliConfig, type CliContext } from "./context.ts";

/** Validates the configuration; errors (naming each bad key) are printed by the CLI's error path. */
export async function runCheckConfig(ctx: CliContext): Promise<number> {
  const config = await loadCliConfig(ctx);
  const networks = (["sms", "telegram", "email"] as const).filter((n) => config.networks[n]);
  if (ctx.json) ctx.out(JSON.stringify({ ok: true, networks: Object.fromEntries(networks.map((n) => [n, config.networks[n]!.domain])) }));
  else ctx.out(`configuration OK; networks: ${networks.map((n) => `${n} (${config.networks[n]!.domain})`).join(", ") || "none"}`);
  return 0;
}
