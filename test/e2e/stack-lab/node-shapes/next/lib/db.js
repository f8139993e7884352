// One node-postgres pool for the app's API routes, used through Drizzle; the table is made on
// first use.
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';

const g = globalThis;
g.pool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 3, connectionTimeoutMillis: 1000 });
export const db = drizzle(g.pool);
g.ready ??= (async () => {
  await db.execute(sql`CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL)`);
  await db.execute(sql`INSERT INTO items (name) SELECT 'item ' || g FROM generate_series(1, 20) g WHERE NOT EXISTS (SELECT 1 FROM items)`);
})();
export const ready = () => g.ready;
export { sql };
