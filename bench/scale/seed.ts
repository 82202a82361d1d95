// Fills the database with `users` registered SMS users of `contacts` contacts each, in three set-based
// statements (no round trip per row), as if they had registered over time.
import { HOST } from "../env/environment.ts";
import { withClient } from "../env/database.ts";

export interface SeedResult {
  users: number;
  contacts: number;
  seconds: number;
}

export async function seedScale(url: string, users: number, contacts: number): Promise<SeedResult> {
  const t0 = performance.now();
  // `scale-…` sorts before the benchmark's own `zbench-…` users, so those hear the startup
  // announce last and time its end.
  await withClient(url, async (c) => {
    await c.query("BEGIN");
    await c.query(
      `INSERT INTO users (jid) SELECT 'scale-' || lpad(g::text, 6, '0') || '@' || $2 FROM generate_series(1, $1::int) g`,
      [users, HOST],
    );
    // Numbers outside the pool: registrations only need a distinct legacy account id.
    await c.query(
      `INSERT INTO registrations (user_id, network, legacy_account_id, settings)
       SELECT u.id, 'sms', '+1999' || lpad(u.n::text, 7, '0'), '{"byo": false}'::jsonb
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users WHERE jid LIKE 'scale-%') u`,
    );
    await c.query(
      `INSERT INTO contacts (registration_id, legacy_address, subscription)
       SELECT r.id, '+1777' || lpad(g::text, 7, '0'), 'both'
       FROM registrations r CROSS JOIN generate_series(1, $1::int) g
       WHERE r.legacy_account_id LIKE '+1999%'`,
      [contacts],
    );
    await c.query("COMMIT");
    // As autovacuum would soon after; the gateway's plans should see the real table sizes.
    await c.query("ANALYZE users, registrations, contacts");
  });
  return { users, contacts: users * contacts, seconds: (performance.now() - t0) / 1000 };
}
