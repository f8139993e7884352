// The Node service of the stack lab: what a small API on Railway looks like. Fastify with its pino
// logger on stdout, a node-postgres pool, an ioredis client without an error handler (so ioredis
// reports its own connection errors). Nothing here is written to fail on purpose except the routes
// the fault script calls: /report holds a pooled connection in a transaction, /leak grows the
// heap until V8 gives up. SIGTERM closes the HTTP server and exits without ending the pool, as many
// apps do.
import Fastify from 'fastify';
import pg from 'pg';
import Redis from 'ioredis';

const env = process.env;
const app = Fastify({ logger: { level: 'info' } });
const pool = new pg.Pool({
  connectionString: env.DATABASE_URL,
  max: Number(env.PG_POOL_MAX ?? 10),
  connectionTimeoutMillis: Number(env.PG_CONNECT_TIMEOUT_MS ?? 0),
  idleTimeoutMillis: 30_000,
});
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: false });

app.get('/health', async () => ({ ok: true }));

app.get('/items', async () => {
  const { rows } = await pool.query('SELECT id, name FROM items ORDER BY id LIMIT 5');
  return rows;
});

app.get('/report', async (req) => {
  // A report reads one snapshot: its statements share a read-only transaction.
  const seconds = Number(req.query.seconds ?? 1);
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query('SELECT count(*) AS n, pg_sleep($1) FROM items', [seconds]);
    await client.query('COMMIT');
    return { n: Number(rows[0].n) };
  } finally {
    client.release();
  }
});

app.get('/cached', async () => {
  const hit = await redis.get('items:count');
  if (hit !== null) return { n: Number(hit), cached: true };
  const { rows } = await pool.query('SELECT count(*) AS n FROM items');
  await redis.set('items:count', rows[0].n, 'EX', 2);
  return { n: Number(rows[0].n), cached: false };
});

const kept = [];
app.get('/leak', async () => {
  // Keeps everything it allocates: the heap limit (--max-old-space-size) ends the process.
  for (;;) kept.push(new Array(100_000).fill({ at: Date.now() }));
});

await pool.query('CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL)');
await pool.query("INSERT INTO items (name) SELECT 'item ' || g FROM generate_series(1, 20) g WHERE NOT EXISTS (SELECT 1 FROM items)");
await app.listen({ host: '127.0.0.1', port: Number(env.PORT) });

process.once('SIGTERM', () => {
  app.log.info('SIGTERM received, closing the HTTP server');
  app.close().then(() => process.exit(0));
});
