// Secrets stay secret: a bring-your-own token is stored sealed ("v1." + ciphertext), and the
// gateway's whole trace-level log — plus /healthz and /metrics — never shows an auth token, the
// component secret, the secretKey, a user-typed token, an Authorization header or a signature.
import { twilioSignatures } from "./signaturesOfRun.ts";
import { BYO, type FuzzEnv } from "../env/fuzzEnv.ts";
import type { CheckResult, Report } from "../report.ts";
import { signaturesSent, typedSecrets } from "../secretsSeen.ts";

export async function storedCredentialsCheck(env: FuzzEnv, report: Report): Promise<CheckResult> {
  const problems: string[] = [];
  const res = await env.db.query<{ credentials: string | null; legacy_account_id: string }>(`SELECT legacy_account_id, credentials FROM registrations WHERE network = 'sms'`);
  const byo = res.rows.find((r) => r.legacy_account_id === BYO.number);
  if (!byo) problems.push("the bring-your-own registration is missing");
  else if (byo.credentials === null) problems.push("the bring-your-own registration has no stored credentials");
  else {
    if (!byo.credentials.startsWith("v1.")) problems.push(`stored credentials do not start with v1.: '${byo.credentials.slice(0, 8)}…'`);
    for (const form of forms(BYO.token)) if (byo.credentials.includes(form)) problems.push("stored credentials contain the auth token (plain or encoded)");
    if (byo.credentials.includes(BYO.sid)) problems.push("stored credentials contain the account sid in clear");
  }
  const poolWithCreds = res.rows.filter((r) => r.legacy_account_id !== BYO.number && r.credentials !== null).length;
  for (const p of problems) report.fail("secret-leak", "secrets", p);
  return {
    name: "bring-your-own credentials are stored sealed",
    status: problems.length ? "fail" : "pass",
    details: [`${res.rows.length} sms registrations; ${poolWithCreds} pool registrations carry credentials`, ...problems],
  };
}

/** Plain, base64 and base64url forms of a secret. */
function forms(secret: string): string[] {
  const b = Buffer.from(secret);
  return [secret, b.toString("base64").replace(/=+$/, ""), b.toString("base64url")];
}

interface Needle {
  what: string;
  value: string;
}

export async function logLeakCheck(env: FuzzEnv, report: Report, log: string): Promise<CheckResult> {
  const s = env.secrets;
  const needles: Needle[] = [
    { what: "operator auth token", value: s.operatorToken },
    { what: "bring-your-own auth token", value: s.byoToken },
    { what: "component secret", value: s.componentSecret },
    { what: "config secretKey", value: s.secretKey },
    { what: "operator Basic credentials", value: Buffer.from(`${s.operatorSid}:${s.operatorToken}`).toString("base64") },
    { what: "bring-your-own Basic credentials", value: Buffer.from(`${BYO.sid}:${s.byoToken}`).toString("base64") },
    ...[...typedSecrets].map((value) => ({ what: "a token typed into a registration form", value })),
    { what: "Telegram bot token", value: env.telegram.token },
    { what: "Telegram bot token's secret part", value: env.telegram.token.slice(env.telegram.token.indexOf(":") + 1) },
    { what: "Telegram webhook secret token", value: env.telegram.header },
    { what: "Telegram webhook path secret", value: env.telegram.path },
  ];
  const patterns: Array<{ what: string; re: RegExp }> = [
    { what: "an Authorization header value", re: /authorization["']?\s*[:=]\s*["']?(?!\[redacted\])[A-Za-z]/gi },
    { what: "Basic credentials", re: /Basic [A-Za-z0-9+/=]{16,}/g },
    { what: "an X-Twilio-Signature value", re: /x-twilio-signature["']?\s*[:=]\s*["']?(?!\[redacted\])[A-Za-z0-9+/]{20,}/gi },
  ];
  const signatures = new Set([...signaturesSent, ...twilioSignatures(env)]);

  const sources: Array<[string, string]> = [["gateway log", log]];
  for (const path of ["/healthz", "/metrics"]) {
    const body = await fetch(`${env.fx.publicUrl}${path}`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text(), (e: unknown) => `(fetch failed: ${String(e)})`);
    sources.push([path, body]);
  }
  const problems: string[] = [];
  for (const [where, text] of sources) {
    for (const n of needles) {
      if (n.value.length < 6) continue;
      const at = text.indexOf(n.value);
      if (at >= 0) problems.push(`${where}: ${n.what} at offset ${at}: …${mask(text.slice(Math.max(0, at - 120), at + n.value.length + 60), n.value)}…`);
    }
    for (const p of patterns) {
      p.re.lastIndex = 0;
      const m = p.re.exec(text);
      if (m) problems.push(`${where}: ${p.what} at offset ${m.index}: …${text.slice(Math.max(0, m.index - 80), m.index + 60).replace(/[A-Za-z0-9+/]{20,}={0,2}/g, "<base64>")}…`);
    }
    // Signatures: collect every base64 string of the right length once, then look them up.
    const re = /[A-Za-z0-9+/]{27}=/g;
    let hits = 0;
    for (const m of text.matchAll(re)) {
      if (!signatures.has(m[0])) continue;
      if (hits++ < 3) problems.push(`${where}: an X-Twilio-Signature value the run sent at offset ${m.index}: …${text.slice(Math.max(0, (m.index ?? 0) - 100), (m.index ?? 0)).trim()} <signature>…`);
    }
    if (hits > 3) problems.push(`${where}: ${hits - 3} more signature values`);
  }
  for (const p of problems) report.fail("secret-leak", "secrets", p);
  return {
    name: "no secret in the trace log, /healthz or /metrics",
    status: problems.length ? "fail" : "pass",
    details: [`searched ${(log.length / 1e6).toFixed(1)} MB of log for ${needles.length} secrets, ${signatures.size} signatures and ${patterns.length} header patterns`, ...problems],
  };
}

function mask(s: string, secret: string): string {
  return s.split(secret).join("<SECRET>");
}
