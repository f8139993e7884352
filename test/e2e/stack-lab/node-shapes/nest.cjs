// NestJS with its default ConsoleLogger (colours unless NO_COLOR is set, as on Railway; JSON with
// NEST_JSON=1) over TypeORM's DataSource on node-postgres. Nest's ExceptionsHandler logs whatever a
// route throws; nothing is caught on purpose.
'use strict';
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { Module, Controller, Get, Query, Logger, ConsoleLogger } = require('@nestjs/common');
const { DataSource } = require('typeorm');
const b = require('./behaviours.cjs');

const env = process.env;
const db = new DataSource({
  type: 'postgres',
  url: env.DATABASE_URL,
  extra: { max: b.POOL.max, connectionTimeoutMillis: b.POOL.acquireTimeoutMs },
});
const log = new Logger('Items');

class AppController {
  health() {
    return { ok: true };
  }
  async items() {
    return db.query('SELECT id, name FROM items ORDER BY id LIMIT 5');
  }
  async report(seconds) {
    // A report reads one snapshot: its statements share a transaction.
    return db.transaction(async (m) => {
      const rows = await m.query('SELECT count(*) AS n, pg_sleep($1) FROM items', [Number(seconds ?? 1)]);
      log.log(`report built: ${rows[0].n} items`);
      return { n: Number(rows[0].n) };
    });
  }
  async slow(ms) {
    await b.sleep(Number(ms ?? 100));
    return { waited: Number(ms) };
  }
  leak() {
    b.leak();
  }
  reject() {
    b.notifyLater();
    return { queued: true };
  }
}
const route = (name, path, param) => {
  const proto = AppController.prototype;
  if (param) Query(param)(proto, name, 0);
  const desc = Object.getOwnPropertyDescriptor(proto, name);
  Get(path)(proto, name, desc);
  Object.defineProperty(proto, name, desc);
};
route('health', 'health');
route('items', 'items');
route('report', 'report', 'seconds');
route('slow', 'slow', 'ms');
route('leak', 'leak');
route('reject', 'reject');
Controller()(AppController);
class AppModule {}
Module({ controllers: [AppController] })(AppModule);

async function bootstrap() {
  b.checkConfig();
  const app = await NestFactory.create(AppModule, env.NEST_JSON ? { logger: new ConsoleLogger({ json: true }) } : {});
  await db.initialize();
  await db.query('CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text NOT NULL)');
  await db.query("INSERT INTO items (name) SELECT 'item ' || g FROM generate_series(1, 20) g WHERE NOT EXISTS (SELECT 1 FROM items)");
  app.enableShutdownHooks();
  await app.listen(Number(env.PORT), '127.0.0.1');
  new Logger('Bootstrap').log(`Application is running on: ${await app.getUrl()}`);
}
bootstrap();
