// The `switchboard` command as operators run it: exit codes, messages naming bad keys, migrations,
// the refusal to start on an outdated schema, and the embedded PostgreSQL default.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

const BIN = path.resolve(import.meta.dirname, "../../bin/switchboard.js");
let tmp: string;
let db: TestDatabase;

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

function config(database: string, extra = ""): string {
  return `
database: ${database}
secretKey: "0123456789abcdef0123456789abcdef"
log: { level: warn }
${extra}
networks:
  sms:
    domain: sms.example.test
    secret: s3cret
    twilio: { accountSid: AC00000000000000000000000000000000, authToken: tok, numbers: ["+15550001111"] }
`;
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "sb-cli-"));
  await fs.chmod(tmp, 0o755);
  db = await createTestDatabase();
});
after(async () => {
  await db?.drop();
  await fs.rm(tmp, { recursive: true, force: true });
});

test("bad usage exits 2 with the usage text", async () => {
  const none = await run([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no command given/);
  const unknown = await run(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command: frobnicate/);
});

test("check-config names the bad key and exits 1; a good file exits 0 with JSON", async () => {
  const bad = path.join(tmp, "bad.yaml");
  await fs.writeFile(bad, config(`{ url: "${db.url}" }`, "xmpp: { prot: 5347 }"));
  const res = await run(["check-config", "--config", bad]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /xmpp\.prot: unknown key/);
  assert.equal(res.stderr.trim().split("\n").length, 1, `one line on stderr: ${res.stderr}`);

  const missingEnv = path.join(tmp, "env.yaml");
  await fs.writeFile(missingEnv, config(`{ url: "\${SB_NOT_SET_ANYWHERE}" }`));
  const env = await run(["check-config", "--config", missingEnv]);
  assert.equal(env.code, 1);
  assert.match(env.stderr, /SB_NOT_SET_ANYWHERE/);

  const good = path.join(tmp, "good.yaml");
  await fs.writeFile(good, config(`{ url: "${db.url}" }`));
  const ok = await run(["check-config", "--config", good, "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout), { ok: true, networks: { sms: "sms.example.test" } });

  const viaEnv = await run(["check-config"], { SWITCHBOARD_CONFIG: good });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
});

test("start refuses an unmigrated database; migrate applies; users list answers JSON", async () => {
  const file = path.join(tmp, "db.yaml");
  await fs.writeFile(file, config(`{ url: "${db.url}" }`));
  const refused = await run(["start", "--config", file]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /switchboard migrate/);
  assert.equal(refused.stderr.trim().split("\n").length, 1, "one line on stderr");

  const migrated = await run(["migrate", "--config", file, "--json"]);
  assert.equal(migrated.code, 0, migrated.stderr);
  assert.ok(JSON.parse(migrated.stdout).applied.length >= 1);
  const again = await run(["migrate", "--config", file]);
  assert.match(again.stdout, /up to date/);

  const users = await run(["users", "list", "--config", file, "--json"]);
  assert.equal(users.code, 0, users.stderr);
  assert.deepEqual(JSON.parse(users.stdout), []);
});

test("without database.url the embedded PostgreSQL keeps its data under dataDir", async () => {
  const file = path.join(tmp, "embedded.yaml");
  await fs.writeFile(file, config(`{ dataDir: ./data }`));
  const migrated = await run(["migrate", "--config", file]);
  assert.equal(migrated.code, 0, migrated.stderr);
  await fs.access(path.join(tmp, "data", "postgres", "PG_VERSION"));
  const users = await run(["users", "list", "--config", file]);
  assert.equal(users.code, 0, users.stderr);
  assert.match(users.stdout, /no registered users/);
});
