import path from "node:path";
import type { DataSource } from "typeorm";
import type { Logger } from "pino";
import type { Config } from "./config/schema.ts";
import type { Adapter } from "./core/adapter.ts";
import { Gateway } from "./core/gateway.ts";
import { createSecretBox } from "./crypto/secretBox.ts";
import { createDataSource, pendingMigrations } from "./store/dataSource.ts";
import { closeHotStatements, observeHotStatements } from "./store/sql.ts";
import { startEmbeddedPostgres } from "./store/embeddedPostgres.ts";
import { JobQueue } from "./queue/jobQueue.ts";
import { ConversationLocks } from "./queue/conversationLock.ts";
import { XmppSide } from "./xmpp/xmppSide.ts";
import { HttpServer } from "./http/server.ts";
import { Metrics } from "./metrics.ts";
import { mediaRoute } from "./http/mediaRoute.ts";
import { pruneExpired } from "./store/retention.ts";
import { createAdapters } from "../adapters/index.ts";
import { RegistrationSync } from "./registrationSync.ts";
import { version } from "./version.ts";

export class StartupError extends Error {}

/** A database connection, to the configured server or to the embedded default. */
export interface Database {
  url: string;
  ds: DataSource;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  let url = config.database.url;
  let embedded: { stop(): Promise<void> } | undefined;
  if (!url) {
    const started = await startEmbeddedPostgres({ dataDir: path.join(config.database.dataDir, "postgres"), log: (m) => log.debug({ pg: m }, "embedded postgres") });
    url = started.url;
    embedded = started;
    log.info({ dataDir: config.database.dataDir }, "using the embedded PostgreSQL");
  }
  // Drains hold a connection only per statement, so a pool smaller than delivery.concurrency
  // serves them; the hot path's batched statements have a pool of their own (store/sql.ts).
  const ds = createDataSource(url, { poolSize: 10 });
  try {
    await ds.initialize();
  } catch (err) {
    await embedded?.stop();
    throw new StartupError(`cannot connect to the database: ${(err as Error).message}`);
  }
  return {
    url,
    ds,
    close: async () => {
      await closeHotStatements(ds);
      await ds.destroy();
      await embedded?.stop();
    },
  };
}

/** Applies our migrations and the job queue's own schema. */
export async function migrate(db: Database, log: Logger): Promise<string[]> {
  const applied = await db.ds.runMigrations({ transaction: "each" });
  await JobQueue.migrate(db.url, log);
  return applied.map((m) => m.name);
}

/**
 * The composition root shared by `switchboard start`, the demo and the tests: builds every part
 * from the config and starts them in an order where nothing accepted can be dropped.
 */
export class App {
  readonly metrics = new Metrics();
  gateway!: Gateway;
  xmpp!: XmppSide;
  db!: Database;
  httpPort = 0;
  private queue!: JobQueue;
  private locks: ConversationLocks | undefined;
  private http!: HttpServer;
  private sweeper: NodeJS.Timeout | undefined;
  private pruner: NodeJS.Timeout | undefined;
  private adapters: Adapter[] = [];
  private registrationSync: RegistrationSync | undefined;

  constructor(
    readonly config: Config,
    private readonly log: Logger,
  ) {}

  async start(opts: { migrate?: boolean } = {}): Promise<void> {
    const { config, log } = this;
    this.db = await openDatabase(config, log);
    observeHotStatements(this.db.ds, (name, seconds) => this.metrics.statementTook(name, seconds));
    const pending = await pendingMigrations(this.db.ds);
    if (pending.length > 0) {
      if (!opts.migrate) {
        await this.db.close();
        throw new StartupError(`the database schema is not up to date (${pending.length} pending migration(s)); run \`switchboard migrate\` or start with --migrate`);
      }
      await migrate(this.db, log);
    }
    this.adapters = createAdapters(config);
    const components = this.adapters.map((a) => ({ network: a.network, domain: config.networks[a.network]!.domain, secret: config.networks[a.network]!.secret }));
    this.xmpp = new XmppSide(config.xmpp, components, log, version);
    this.gateway = new Gateway({
      ds: this.db.ds,
      adapters: this.adapters,
      secrets: createSecretBox(config.secretKey),
      access: config.access,
      retry: config.delivery,
      link: this.xmpp,
      locks: (this.locks = new ConversationLocks(this.db.url, log)),
      concurrency: config.delivery.concurrency,
      rateLimits: { sms: config.networks.sms?.rateLimit.perUserPerMinute },
      metrics: this.metrics,
      publicUrl: config.http.publicUrl,
      log,
    });
    this.xmpp.attach(this.gateway, this.gateway.adapters);
    await this.gateway.startAdapters();
    // Registrations added or removed by the CLI while we run (LISTEN/NOTIFY).
    this.registrationSync = new RegistrationSync({ url: this.db.url, config, gateway: this.gateway, xmpp: this.xmpp, log, version });
    await this.registrationSync.start();
    // Jobs are only wake-ups handed to the in-process workers: two runners keep up with any load.
    this.queue = new JobQueue(this.db.url, log, 2);
    await this.queue.start(this.gateway.tasks());
    this.http = new HttpServer(
      {
        routes: [...this.adapters.flatMap((a) => a.webhooks), mediaRoute(this.gateway.mediaStore)],
        health: () => this.health(),
        metrics: async () => ({ contentType: this.metrics.registry.contentType, body: await this.metrics.registry.metrics() }),
      },
      log,
    );
    this.httpPort = await this.http.listen(config.http.listenAddress.host, config.http.listenAddress.port);
    await this.xmpp.start();
    await this.gateway.sweep();
    this.sweeper = setInterval(() => void this.gateway.sweep().catch((err) => log.warn({ err }, "sweep failed")), 30_000);
    this.sweeper.unref();
    const prune = () => void pruneExpired(this.db.ds).catch((err) => log.warn({ err }, "pruning expired rows failed"));
    prune();
    this.pruner = setInterval(prune, 3_600_000);
    this.pruner.unref();
    log.info({ http: `${config.http.listenAddress.host}:${this.httpPort}`, networks: components.map((c) => c.domain) }, "switchboard started");
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    clearInterval(this.pruner);
    await this.registrationSync?.stop();
    await this.http?.close();
    await this.xmpp?.stop();
    await this.queue?.stop();
    await this.gateway?.stopWorkers();
    await this.locks?.close();
    await this.gateway?.stopAdapters();
    await this.db?.close();
    this.log.info("switchboard stopped");
  }

  async health(): Promise<{ ok: boolean; body: unknown }> {
    let database: { ok: boolean; error?: string };
    try {
      await this.db.ds.query("SELECT 1");
      database = { ok: true };
    } catch (err) {
      database = { ok: false, error: (err as Error).message };
    }
    const components = this.xmpp.health();
    const adapters = Object.fromEntries(this.adapters.map((a) => [a.network, a.health()]));
    const queue = { ...(await this.gateway.outboxStore.counts().catch(() => ({}))), ...(await this.gateway.inboxStore.counts().catch(() => ({}))) };
    const ok = database.ok && Object.values(components).every((c) => c.state === "online") && Object.values(adapters).every((a) => a.ok);
    return { ok, body: { status: ok ? "ok" : "unavailable", components, database, adapters, queue } };
  }
}
