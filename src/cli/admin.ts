// What the admin commands share: the database (refused when not migrated), the same registration
// service the XMPP side uses, and the adapters in a registration-only form.
import type { Logger } from "pino";
import type { Adapter, NetworkName } from "../core/adapter.ts";
import { GatewayError } from "../core/errors.ts";
import { RegistrationService } from "../core/registrationService.ts";
import { createSecretBox } from "../crypto/secretBox.ts";
import { openDatabase, type Database } from "../app.ts";
import type { Config } from "../config/schema.ts";
import { createLogger } from "../log.ts";
import { AdminQueries } from "../store/adminQueries.ts";
import { ContactStore } from "../store/contacts.ts";
import { pendingMigrations } from "../store/dataSource.ts";
import { RegistrationStore } from "../store/registrations.ts";
import { createAdapters } from "../../adapters/index.ts";
import { loadCliConfig, type CliContext } from "./context.ts";

export interface Admin {
  config: Config;
  db: Database;
  registrationStore: RegistrationStore;
  queries: AdminQueries;
  /** Only for commands that register or unregister (see withAdmin's `adapters` option). */
  registrations: RegistrationService;
  adapters: Map<NetworkName, Adapter>;
}

/**
 * Runs `fn` with the database open (and migrated, else a failure naming `switchboard migrate`).
 * With `adapters`, the enabled networks' adapters are built — never started: this process only
 * validates registrations with the network; receiving belongs to the running gateway.
 */
export async function withAdmin<T>(ctx: CliContext, opts: { adapters?: boolean }, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const config = await loadCliConfig(ctx);
  const log = createLogger(config.log.level === "info" ? "warn" : config.log.level);
  const db = await openDatabase(config, log);
  try {
    return await withAdminOn(config, db, log, opts, fn);
  } finally {
    await db.close();
  }
}

/**
 * withAdmin on a database that is already open: the demo's, whose embedded PostgreSQL serves its
 * own gateway, so its registrations take the same path as `switchboard users add`.
 */
export async function withAdminOn<T>(config: Config, db: Database, log: Logger, opts: { adapters?: boolean }, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const adapters = opts.adapters ? createAdapters(config) : [];
  try {
    if ((await pendingMigrations(db.ds)).length > 0) throw new GatewayError("service-unavailable", "the database schema is not up to date; run `switchboard migrate`");
    const registrationStore = new RegistrationStore(db.ds);
    const registrations = new RegistrationService(registrationStore, new ContactStore(db.ds), createSecretBox(config.secretKey), config.access, log);
    return await fn({
      config,
      db,
      registrationStore,
      queries: new AdminQueries(db.ds),
      registrations,
      adapters: new Map(adapters.map((a) => [a.network, registrationOnly(a)])),
    });
  } finally {
    for (const a of adapters) await a.stop().catch(() => undefined);
  }
}

/**
 * The adapter without openAccount/unregistered: RegistrationService calls those right after the
 * change, but starting or stopping a bot's polling must happen in the running gateway, which
 * does it when the change's notification arrives.
 */
function registrationOnly(adapter: Adapter): Adapter {
  return new Proxy(adapter, {
    get(target, prop) {
      if (prop === "openAccount" || prop === "unregistered") return undefined;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export function adapterFor(admin: Admin, network: NetworkName): Adapter {
  const adapter = admin.adapters.get(network);
  if (!adapter) throw new GatewayError("service-unavailable", `the ${network} network is not enabled in the configuration (networks.${network})`);
  return adapter;
}
