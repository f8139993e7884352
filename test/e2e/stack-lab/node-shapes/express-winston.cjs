// Express 5 with a winston logger (its default json format; WINSTON_FORMAT=simple or
// timestamp-json for the others people use) and morgan's request lines (MORGAN_FORMAT, combined by
// default) on stdout, over knex's pool on node-postgres. The error handler logs the error object as
// winston users commonly do: `logger.error(err)`.
'use strict';
const express = require('express');
const morgan = require('morgan');
const winston = require('winston');
const knex = require('knex');
const b = require('./behaviours.cjs');

const env = process.env;
const formats = {
  json: winston.format.json(),
  simple: winston.format.simple(),
  'timestamp-json': winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
};
const logger = winston.createLogger({ level: 'info', format: formats[env.WINSTON_FORMAT ?? 'json'], transports: [new winston.transports.Console()] });
const db = knex({
  client: 'pg',
  connection: env.DATABASE_URL,
  pool: { min: 0, max: b.POOL.max },
  acquireConnectionTimeout: b.POOL.acquireTimeoutMs,
});

const app = express();
app.use(morgan(env.MORGAN_FORMAT ?? 'combined'));
app.get('/health', (req, res) => res.json({ ok: true }));
app.get('/items', async (req, res) => res.json(await db('items').select('id', 'name').orderBy('id').limit(5)));
app.get('/report', async (req, res) => {
  // A report reads one snapshot: its statements share a transaction.
  const n = await db.transaction(async (trx) => {
    const { rows } = await trx.raw('SELECT count(*) AS n, pg_sleep(?) FROM items', [Number(req.query.seconds ?? 1)]);
    return Number(rows[0].n);
  });
  logger.info(`report built: ${n} items`);
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
  logger.error(err);
  res.status(500).json({ error: 'internal error' });
});

async function main() {
  b.checkConfig();
  await db.raw('CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL)');
  await db.raw("INSERT INTO items (name) SELECT 'item ' || g FROM generate_series(1, 20) g WHERE NOT EXISTS (SELECT 1 FROM items)");
  const server = app.listen(Number(env.PORT), '127.0.0.1', () => logger.info(`Server listening on port ${env.PORT}`));
  process.once('SIGTERM', () => {
    logger.info('SIGTERM received, shutting down');
    server.close(() => db.destroy().then(() => process.exit(0)));
  });
}
main();
