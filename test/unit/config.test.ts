import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/load.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const SOURCE = "/etc/switchboard/switchboard.yaml";

const SMS = `
  sms:
    domain: sms.example.org
    secret: s3cret
    twilio:
      accountSid: AC123
      authToken: tok
`;

function parse(text: string, env: NodeJS.ProcessEnv = {}) {
  return parseConfig(text, env, SOURCE);
}

/** The ConfigError's problem lines, failing the test if parsing succeeds. */
function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parse(text, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.message, err.problems.join("\n"));
    return [...err.problems];
  }
  assert.fail("config was accepted");
}

describe("parseConfig defaults", () => {
  it("fills every default around a minimal file", () => {
    const c = parse(`secretKey: "${SECRET}"`);
    assert.deepEqual(c.xmpp, { host: "127.0.0.1", port: 5347 });
    assert.deepEqual(c.database, { dataDir: "/etc/switchboard/data" });
    assert.deepEqual(c.http, { listen: "127.0.0.1:8080", listenAddress: { host: "127.0.0.1", port: 8080 } });
    assert.equal(c.secretKey, SECRET);
    assert.deepEqual(c.access, { allowedDomains: [], admins: [] });
    assert.deepEqual(c.log, { level: "info" });
    assert.deepEqual(c.delivery, { retryBudgetSeconds: 3600, initialBackoffMs: 1000, maxBackoffMs: 300000, concurrency: 256 });
    assert.deepEqual(c.networks, {});
  });

  it("fills network defaults", () => {
    const c = parse(`secretKey: "${SECRET}"
http: { publicUrl: "https://gw.example.org/" }
networks:${SMS}
  telegram: { domain: telegram.example.org, secret: t }
  email:
    domain: email.example.org
    secret: e
    addressDomain: mail.example.org
    smtp: { url: "smtp://u:p@smtp.example.org:587" }
`);
    assert.deepEqual(c.networks.sms, {
      domain: "sms.example.org",
      secret: "s3cret",
      defaultRegion: "US",
      twilio: { accountSid: "AC123", authToken: "tok", apiBase: "https://api.twilio.com", numbers: [] },
      rateLimit: { perUserPerMinute: 30 },
    });
    assert.deepEqual(c.networks.telegram, {
      domain: "telegram.example.org",
      secret: "t",
      apiRoot: "https://api.telegram.org",
      mode: "polling",
    });
    assert.deepEqual(c.networks.email?.inbound, {
      listen: "0.0.0.0:2525",
      maxMessageBytes: 26214400,
      listenAddress: { host: "0.0.0.0", port: 2525 },
    });
    assert.equal(c.networks.email?.dkim, undefined);
    assert.equal(c.http.publicUrl, "https://gw.example.org");
  });

  it("resolves dataDir against the config file's directory, keeps absolute ones", () => {
    assert.equal(parse(`secretKey: "${SECRET}"\ndatabase: { dataDir: ../pg }`).database.dataDir, "/etc/pg");
    assert.equal(parse(`secretKey: "${SECRET}"\ndatabase: { dataDir: /var/lib/sb }`).database.dataDir, "/var/lib/sb");
  });

  it("treats an empty value as an omitted key", () => {
    const c = parse(`secretKey: "${SECRET}"\nhttp:\n  publicUrl:\nnetworks:\n  telegram:\n`);
    assert.equal(c.http.publicUrl, undefined);
    assert.deepEqual(c.networks, {});
  });

  it("normalises values", () => {
    const c = parse(`secretKey: "${SECRET}"
http: { listen: "[::1]:0", publicUrl: "https://GW.example.org/switchboard//" }
access: { allowedDomains: [Example.ORG], admins: [Admin@Example.org] }
networks:
  sms:
    domain: SMS.example.org
    secret: s
    defaultRegion: gb
    twilio: { accountSid: a, authToken: b, apiBase: "http://127.0.0.1:4010/", numbers: ["+15550001111"] }
`);
    assert.deepEqual(c.http.listenAddress, { host: "::1", port: 0 });
    assert.equal(c.http.publicUrl, "https://gw.example.org/switchboard");
    assert.deepEqual(c.access, { allowedDomains: ["example.org"], admins: ["admin@example.org"] });
    assert.equal(c.networks.sms?.domain, "sms.example.org");
    assert.equal(c.networks.sms?.defaultRegion, "GB");
    assert.equal(c.networks.sms?.twilio.apiBase, "http://127.0.0.1:4010");
    assert.deepEqual(c.networks.sms?.twilio.numbers, ["+15550001111"]);
  });
});

describe("parseConfig environment variables", () => {
  it("replaces ${NAME} anywhere inside a string", () => {
    const c = parse(
      `secretKey: \${KEY}
database: { url: "postgres://\${DB_USER}@db.internal/\${DB_NAME}" }
xmpp:
  port: \${XMPP_PORT}
networks:
  sms:
    domain: sms.example.org
    secret: pre-\${SMS_SECRET}-post
    twilio: { accountSid: "\${SID}", authToken: tok, numbers: ["\${POOL}"] }
`,
      { KEY: SECRET, DB_USER: "sb", DB_NAME: "gateway", XMPP_PORT: "15347", SMS_SECRET: "x", SID: "AC9", POOL: "+15550001111" },
    );
    assert.equal(c.secretKey, SECRET);
    assert.equal(c.database.url, "postgres://sb@db.internal/gateway");
    assert.equal(c.xmpp.port, 15347);
    assert.equal(c.networks.sms?.secret, "pre-x-post");
    assert.equal(c.networks.sms?.twilio.accountSid, "AC9");
    assert.deepEqual(c.networks.sms?.twilio.numbers, ["+15550001111"]);
  });

  it("keeps $${ as a literal ${", () => {
    const c = parse(`secretKey: "$\${NOT_A_VAR}0123456789abcdef0123456789"`);
    assert.equal(c.secretKey, "${NOT_A_VAR}0123456789abcdef0123456789");
  });

  it("names the missing variable and the key that uses it, and nothing else about that key", () => {
    assert.deepEqual(problems(`secretKey: \${SWITCHBOARD_SECRET_KEY}\nnetworks:${SMS.replace("s3cret", "${SMS_COMPONENT_SECRET}")}`), [
      "secretKey: environment variable SWITCHBOARD_SECRET_KEY is not set",
      "networks.sms.secret: environment variable SMS_COMPONENT_SECRET is not set",
    ]);
  });

  it("hints at quoting when ${NAME} breaks a flow collection", () => {
    const out = problems(`secretKey: "${SECRET}"\nxmpp: { port: \${PORT} }\n`, { PORT: "1" });
    assert.equal(out.length, 1);
    assert.match(out[0] ?? "", /^\/etc\/switchboard\/switchboard\.yaml: .*line 2.*quote values that use \$\{…\}/);
  });

  it("rejects a malformed reference", () => {
    const [line] = problems(`secretKey: "\${1BAD}${SECRET}"`);
    assert.match(line ?? "", /^secretKey: "\$\{1BAD\}" is not a valid \$\{NAME\} reference/);
  });
});

describe("parseConfig errors name the key", () => {
  it("unknown keys, with a suggestion for a likely typo", () => {
    assert.deepEqual(problems(`secretKey: "${SECRET}"\nxmpp: { prot: 5347 }\nfrobnicate: 1`), [
      "xmpp.prot: unknown key (did you mean port?)",
      "frobnicate: unknown key",
    ]);
  });

  it("unknown keys deep inside networks", () => {
    assert.deepEqual(problems(`secretKey: "${SECRET}"\nnetworks:${SMS}    twilio2: {}\n  irc: {}\n`), [
      "networks.sms.twilio2: unknown key (did you mean twilio?)",
      "networks.irc: unknown key",
    ]);
  });

  it("wrong types", () => {
    assert.deepEqual(problems(`secretKey: "${SECRET}"\nxmpp: { port: abc }\naccess: { admins: admin@example.org }\nlog: { level: 3 }`), [
      'xmpp.port: expected a port number (1-65535), got a string ("abc")',
      'access.admins: expected a list, got a string ("admin@example.org")',
      "log.level: 3 is not one of trace, debug, info, warn, error",
    ]);
  });

  it("a bad number in the pool, by index", () => {
    const out = problems(`secretKey: "${SECRET}"\nnetworks:${SMS}      numbers: ["+15550001111", "+1555", +15550002222]\n`);
    assert.deepEqual(out, [
      'networks.sms.twilio.numbers[1]: "+1555" is not an E.164 number (like "+15550001111")',
      'networks.sms.twilio.numbers[2]: 15550002222 is a number to YAML: write the phone number quoted, as "+15550002222"',
    ]);
  });

  it("a number listed twice in the pool", () => {
    assert.deepEqual(problems(`secretKey: "${SECRET}"\nnetworks:${SMS}      numbers: ["+15550001111", "+15550001111"]\n`), [
      'networks.sms.twilio.numbers[1]: "+15550001111" is listed twice',
    ]);
  });

  it("missing required keys", () => {
    assert.deepEqual(problems(`networks:\n  sms: { domain: sms.example.org }`), [
      "secretKey: is required (at least 32 characters; e.g. from: openssl rand -base64 32)",
      "networks.sms.secret: is required",
      "networks.sms.twilio: is required",
    ]);
  });

  it("a short secretKey, without echoing it", () => {
    const [line] = problems(`secretKey: hunter2`);
    assert.match(line ?? "", /^secretKey: must be at least 32 characters \(it has 7\)/);
    assert.doesNotMatch(line ?? "", /hunter2/);
  });

  it("reports every problem at once, one per line", () => {
    const out = problems(`xmpp: { port: 70000, hots: x }
http: { listen: "localhost", publicUrl: "ftp://gw.example.org" }
database: { url: "mysql://db/x" }
log: { level: loud }
delivery: { concurrency: 0 }
networks:
  sms: { domain: "not a domain", secret: s, defaultRegion: XX, twilio: { accountSid: a, authToken: b } }
`);
    assert.deepEqual(out, [
      'xmpp.port: expected a port number (1-65535), got a number (70000)',
      "xmpp.hots: unknown key (did you mean host?)",
      'database.url: must be a URL starting with postgres:// or postgresql://',
      'http.listen: "localhost" is not host:port (e.g. 127.0.0.1:8080, [::1]:8080)',
      'http.publicUrl: "ftp://gw.example.org" must start with http:// or https://',
      "secretKey: is required (at least 32 characters; e.g. from: openssl rand -base64 32)",
      'log.level: "loud" is not one of trace, debug, info, warn, error',
      "delivery.concurrency: expected a whole number of workers (1 or more), got a number (0)",
      'networks.sms.domain: "not a domain" is not a domain name',
      'networks.sms.defaultRegion: "XX" is not a region code libphonenumber knows (ISO 3166 alpha-2, like US, GB, DE)',
    ]);
  });

  it("does not echo connection URLs or secrets, which may hold passwords", () => {
    const out = problems(`secretKey: "${SECRET}"\ndatabase: { url: "mysql://root:pa55@db/x" }`);
    assert.equal(out.join("\n").includes("pa55"), false);
    const [line] = problems(`secretKey: [pa55word]`);
    assert.equal(line, "secretKey: expected a string, got a list");
    const types = problems(`secretKey: "${SECRET}"\nnetworks:\n  telegram: { domain: t.example.org, secret: 12345 }`);
    assert.deepEqual(types, ["networks.telegram.secret: expected a string, got a number"]);
  });

  it("telegram webhook mode needs http.publicUrl", () => {
    assert.deepEqual(problems(`secretKey: "${SECRET}"\nnetworks:\n  telegram: { domain: tg.example.org, secret: t, mode: webhook }`), [
      "networks.telegram.mode: webhook needs http.publicUrl (the address Telegram calls); set it or use polling",
    ]);
    const ok = parse(`secretKey: "${SECRET}"\nhttp: { publicUrl: "https://gw.example.org" }\nnetworks:\n  telegram: { domain: tg.example.org, secret: t, mode: webhook }`);
    assert.equal(ok.networks.telegram?.mode, "webhook");
  });

  it("component domains must be distinct", () => {
    assert.deepEqual(problems(`secretKey: "${SECRET}"\nnetworks:${SMS}  telegram: { domain: SMS.example.org, secret: t }`), [
      'networks.telegram.domain: "sms.example.org" is already networks.sms.domain; each network needs its own component domain',
    ]);
  });

  it("delivery backoff bounds are consistent", () => {
    assert.deepEqual(problems(`secretKey: "${SECRET}"\ndelivery: { initialBackoffMs: 5000, maxBackoffMs: 100 }`), [
      "delivery.maxBackoffMs: 100 is less than delivery.initialBackoffMs (5000)",
    ]);
  });

  it("a DKIM key that is not a private key", () => {
    const out = problems(`secretKey: "${SECRET}"
networks:
  email:
    domain: email.example.org
    secret: e
    addressDomain: mail.example.org
    smtp: { url: "smtp://smtp.example.org" }
    dkim: { domainName: mail.example.org, keySelector: sb, privateKey: "not a key" }
`);
    assert.deepEqual(out, ["networks.email.dkim.privateKey: is not a PEM private key"]);
  });

  it("YAML syntax errors and a non-mapping document", () => {
    const [syntax] = problems("xmpp: [1, 2\n");
    assert.match(syntax ?? "", /^\/etc\/switchboard\/switchboard\.yaml: .*line \d+, column \d+/);
    const [dup] = problems(`secretKey: "${SECRET}"\nsecretKey: "${SECRET}"\n`);
    assert.match(dup ?? "", /unique/);
    assert.deepEqual(problems("- a\n- b\n"), [`${SOURCE}: expected a mapping of keys at the top level`]);
  });
});

describe("loadConfig", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "switchboard-config-"));
    await mkdir(join(dir, "etc"));
    await writeFile(join(dir, "switchboard.yaml"), `secretKey: "${SECRET}"\nxmpp: { port: 1001 }\n`);
    await writeFile(join(dir, "etc", "from-env.yaml"), `secretKey: "${SECRET}"\nxmpp: { port: 1002 }\n`);
    await writeFile(join(dir, "etc", "explicit.yaml"), `secretKey: \${K}\nxmpp: { port: 1003 }\n`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads --config PATH first, relative to cwd, with the given env", async () => {
    const c = await loadConfig({ path: "etc/explicit.yaml", cwd: dir, env: { K: SECRET, SWITCHBOARD_CONFIG: "etc/from-env.yaml" } });
    assert.equal(c.xmpp.port, 1003);
    assert.equal(c.database.dataDir, join(dir, "etc", "data"));
  });

  it("then $SWITCHBOARD_CONFIG", async () => {
    const c = await loadConfig({ cwd: dir, env: { SWITCHBOARD_CONFIG: join(dir, "etc", "from-env.yaml") } });
    assert.equal(c.xmpp.port, 1002);
  });

  it("then ./switchboard.yaml", async () => {
    const c = await loadConfig({ cwd: dir, env: {} });
    assert.equal(c.xmpp.port, 1001);
    assert.equal(c.database.dataDir, join(dir, "data"));
  });

  it("names the path of a missing file", async () => {
    await assert.rejects(loadConfig({ path: "nope.yaml", cwd: dir, env: {} }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, `config file not found: ${join(dir, "nope.yaml")} (--config)`);
      return true;
    });
    await assert.rejects(loadConfig({ cwd: join(dir, "etc"), env: {} }), /config file not found: .*etc\/switchboard\.yaml/);
  });

  it("reports env problems through loadConfig too", async () => {
    await assert.rejects(loadConfig({ path: "etc/explicit.yaml", cwd: dir, env: {} }), {
      name: "ConfigError",
      message: "secretKey: environment variable K is not set",
    });
  });
});

describe("switchboard.example.yaml", () => {
  const file = join(import.meta.dirname, "..", "..", "switchboard.example.yaml");
  const env = {
    SWITCHBOARD_SECRET_KEY: "ZmFrZS1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc4OQ==",
    SMS_COMPONENT_SECRET: "sms-secret",
    TWILIO_ACCOUNT_SID: "AC00000000000000000000000000000000",
    TWILIO_AUTH_TOKEN: "twilio-token",
  };

  it("parses with the variables it references", async () => {
    const text = await readFile(file, "utf8");
    const referenced = new Set(
      text
        .split("\n")
        .filter((l) => !l.trimStart().startsWith("#"))
        .flatMap((l) => [...l.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1])),
    );
    assert.deepEqual([...referenced].sort(), Object.keys(env).sort());
    const c = parseConfig(text, env, file);
    assert.equal(c.secretKey, env.SWITCHBOARD_SECRET_KEY);
    assert.equal(c.networks.sms?.twilio.authToken, "twilio-token");
    assert.deepEqual(c.networks.sms?.twilio.numbers, ["+15550001111", "+15550002222"]);
    assert.equal(c.networks.telegram, undefined);
    assert.equal(c.networks.email, undefined);
    assert.equal(c.database.url, undefined);
  });

  it("still parses with the commented-out keys and sections enabled", async () => {
    const text = await readFile(file, "utf8");
    // A commented-out key is "# key: …" (or "# key:"); prose comments never start that way.
    const uncommented = text.replace(/^(\s*)# (\s*[A-Za-z]+:(?: |$).*)$/gm, "$1$2");
    assert.notEqual(uncommented, text);
    const pem = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs8", format: "pem" });
    const c = parseConfig(
      uncommented,
      {
        ...env,
        TELEGRAM_COMPONENT_SECRET: "tg",
        EMAIL_COMPONENT_SECRET: "em",
        SMTP_URL: "smtp://user:pass@smtp.example.org:587",
        DKIM_PRIVATE_KEY: String(pem),
      },
      file,
    );
    assert.equal(c.database.url, "postgres://switchboard@127.0.0.1/switchboard");
    assert.equal(c.networks.telegram?.domain, "telegram.example.org");
    assert.equal(c.networks.email?.addressDomain, "mail.example.org");
    assert.equal(c.networks.email?.dkim?.keySelector, "switchboard");
  });
});
