// Records the held-out stacks (held-out.ts) into a directory, one sub-directory a run:
//   npx vite-node test/e2e/stack-lab/record-held-out.ts <dir> [healthy seconds] [go|ruby|jvm|php ...]
// How test/fixtures/stacks/go, ruby, jvm and php were made. Needs Debian's golang-go,
// golang-go.uber-zap-dev, golang-github-sirupsen-logrus-dev, golang-github-jackc-pgx-v4-dev, puma,
// ruby-activerecord, ruby-pg, ruby-sidekiq, redis-server, PostgreSQL 15, and for the JVM openjdk-17-jdk,
// libpostgresql-jdbc-java, libhikaricp-java, liblogback-java, libslf4j-java and liblog4j2-java, and
// for PHP php8.2-fpm, php8.2-pgsql, php-monolog and nginx (run as root: php-fpm's pool drops to www-data).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goFaults, goHealthy, jvmFaults, jvmHealthy, phpFaults, phpHealthy, rubyFaults, rubyHealthy } from './held-out.js';

const [dir, healthy, ...stacks] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: vite-node test/e2e/stack-lab/record-held-out.ts <dir> [healthy seconds] [go|ruby|jvm|php ...]');
  process.exit(2);
}
const healthyMs = Number(healthy ?? 60) * 1000;
const runs: Record<string, (d: string) => Promise<unknown>> = {
  'go/healthy': (d) => goHealthy(d, healthyMs),
  'go/faults': goFaults,
  'ruby/healthy': (d) => rubyHealthy(d, healthyMs),
  'ruby/faults': rubyFaults,
  'jvm/healthy': (d) => jvmHealthy(d, healthyMs),
  'jvm/faults': jvmFaults,
  'php/healthy': (d) => phpHealthy(d, healthyMs),
  'php/faults': phpFaults,
};
const chosen = Object.keys(runs).filter((r) => stacks.length === 0 || stacks.includes(r.split('/')[0]!) || stacks.includes(r));
for (const name of chosen) {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const started = Date.now();
  const facts = await runs[name]!(d);
  writeFileSync(join(d, 'facts.json'), JSON.stringify({ ...(facts as object), seconds: Math.round((Date.now() - started) / 1000) }, null, 2) + '\n');
  console.log(`${name}: ${Math.round((Date.now() - started) / 1000)} s`);
}
process.exit(0);
