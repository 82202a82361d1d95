// The demo server's self-signed TLS certificate, made with the openssl command. It is kept across
// runs: a client told to trust it once (Gajim, Conversations), or a system trust store it was
// added to (Dino has no "accept anyway"), keeps trusting it.
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

export interface DemoCertificate {
  certificate: string;
  key: string;
  /** SHA-256 fingerprint, AB:CD:… as clients show it. */
  sha256: string;
}

const OPENSSL = process.env.OPENSSL_BIN ?? "openssl";
const DAY_MS = 86_400_000;

/** The certificate for `domain` in `dir`, made when missing, expiring within a day, or for another name. */
export async function demoCertificate(dir: string, domain: string): Promise<DemoCertificate> {
  const certificate = path.join(dir, `${domain}.crt`);
  const key = path.join(dir, `${domain}.key`);
  const existing = await usable(certificate, key, domain);
  if (existing) return { certificate, key, sha256: existing.fingerprint256 };

  await fs.mkdir(dir, { recursive: true });
  // Written aside and renamed, so an interrupted run never leaves a key without its certificate.
  const tmpCert = `${certificate}.new`;
  const tmpKey = `${key}.new`;
  await openssl([
    // 825 days and serverAuth: what Apple's systems require of any TLS server certificate (Monal).
    "req", "-x509", "-nodes", "-days", "825",
    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-subj", `/CN=${domain}`,
    "-addext", `subjectAltName=DNS:${domain},DNS:*.${domain}`,
    "-addext", "extendedKeyUsage=serverAuth",
    "-keyout", tmpKey, "-out", tmpCert,
  ]);
  await fs.chmod(tmpKey, 0o600);
  await fs.rename(tmpKey, key);
  await fs.rename(tmpCert, certificate);
  const made = new X509Certificate(await fs.readFile(certificate));
  return { certificate, key, sha256: made.fingerprint256 };
}

async function usable(certificate: string, key: string, domain: string): Promise<X509Certificate | undefined> {
  try {
    await fs.access(key);
    const cert = new X509Certificate(await fs.readFile(certificate));
    if (Date.parse(cert.validTo) - Date.now() < DAY_MS) return undefined;
    return cert.checkHost(domain) === domain ? cert : undefined;
  } catch {
    return undefined;
  }
}

function openssl(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(OPENSSL, args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "openssl is not installed (apt-get install openssl)" : `${err.message} ${stderr}`.trim();
      reject(new Error(`could not make the demo's TLS certificate: ${why}`));
    });
  });
}
