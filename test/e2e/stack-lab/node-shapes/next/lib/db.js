// One node-postgres pool for the app's API routes, used through Drizzle.
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';

const g = globalThis;
g.pool ??= new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 3, connectionTimeoutMillis: 1000 });
export const db = drizzle(g.pool);
export { sql };
