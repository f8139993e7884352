// Express 5 with a bunyan logger (stdout, its standard serializers; a line per request with its
// time), over Sequelize's pool on node-postgres. The error handler logs `log.error({ err }, ...)`.
'use strict';
const express = require('express');
const bunyan = require('bunyan');
const { Sequelize } = require('sequelize');
const b = require('./behaviours.cjs');

const env = process.env;
const log = bunyan.createLogger({ name: 'api', serializers: bunyan.stdSerializers });
const db = new Sequelize(env.DATABASE_URL, {
  logging: false,
  pool: { max: b.POOL.max, min: 0, acquire: b.POOL.acquireTimeoutMs },
});

const app = express();
app.use((req, res, next) => {
  const start = process.hrtime.bigint();
  res.on('finish', () => log.info({ req, res, responseTime: Number(process.hrtime.bigint() - start) / 1e6 }, 'request completed'));
  next();
});
app.get('/health', (req, res) => res.json({ ok: true }));
app.get('/items', async (req, res) => {
  const [rows] = await db.query('SELECT id, name FROM items ORDER BY id LIMIT 5');
  res.json(rows);
});
app.get('/report', async (req, res) => {
  // A report reads one snapshot: its statements share a transaction.
  const n = await db.transaction(async (transaction) => {
    const [rows] = await db.query('SELECT count(*) AS n, pg_sleep(?) FROM items', { replacements: [Number(req.query.seconds ?? 1)], transaction });
    return Number(rows[0].n);
  });
  log.info({ n }, 'report built');
  res.json({ n });
});
app.get('/slow', async (req, res) => {
  await b.sleep(Number(req.query.ms ?? 100));
  res.json({ waited: Number(req.query.ms) });
});
app.get('/leak', () => b.leak());
app.get('/reject', (req, res) => {
  b.notifyLater();
  res.json({ queued: true });
});
app.use((err, req, res, next) => {
  log.error({ err, req }, 'request failed');
  res.status(500).json({ error: 'internal error' });
});

async function main() {
  b.checkConfig();
  await db.query('CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL)');
  await db.query("INSERT INTO items (name) SELECT 'item ' || g FROM generate_series(1, 20) g WHERE NOT EXISTS (SELECT 1 FROM items)");
  const server = app.listen(Number(env.PORT), '127.0.0.1', () => log.info({ port: Number(env.PORT) }, 'server listening'));
  process.once('SIGTERM', () => {
    log.info('SIGTERM received, shutting down');
    server.close(() => db.close().then(() => process.exit(0)));
  });
}
main();
