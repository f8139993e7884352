#!/usr/bin/env node
// The whole `hindsight analyze` of two builds on one input, run in turn so that a shared machine's
// load falls on both alike: ROUNDS child processes of each, and the medians of their wall time,
// CPU time (user + system, all threads) and peak RSS. Build the old commit into a directory of its
// own first (e.g. `git worktree add /tmp/old <commit> && cd /tmp/old && npm ci && npm run build`).
//   node scripts/analyze-ab.mjs OLD_DIST NEW_DIST FILE [ROUNDS=5]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const [oldDist, newDist, file, roundsArg] = process.argv.slice(2);
if (!oldDist || !newDist || !file) {
  process.stderr.write('usage: node scripts/analyze-ab.mjs OLD_DIST NEW_DIST FILE [ROUNDS=5]\n');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 5);

// The child runs the CLI as `node dist/cli.js analyze FILE --format json -o /dev/null` would (the
// CLI runs when argv[1] is its own path), and reports its own resource usage when it exits.
const CHILD = `
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [cli, file] = process.argv.slice(1);
process.argv = [process.argv[0], cli, 'analyze', file, '--format', 'json', '-o', '/dev/null'];
const t0 = process.hrtime.bigint();
process.on('exit', () => {
  const r = process.resourceUsage();
  writeSync(2, 'AB ' + JSON.stringify({ wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (r.userCPUTime + r.systemCPUTime) / 1e6, rss: r.maxRSS / 1024 }) + '\\n');
});
await import(pathToFileURL(cli).href);
`;

function once(dist) {
  const p = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, resolve(dist, 'cli.js'), file], { encoding: 'utf8' });
  const line = p.stderr.split('\n').find((l) => l.startsWith('AB '));
  if (p.status !== 0 || line === undefined) throw new Error(`${dist}: exit ${p.status}: ${p.stderr.trim().split('\n').slice(-2).join(' ')}`);
  return JSON.parse(line.slice(3));
}

const runs = { old: [], new: [] };
for (let r = 0; r < rounds; r++) {
  runs.old.push(once(oldDist));
  runs.new.push(once(newDist));
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
for (const [name, rs] of Object.entries(runs)) {
  process.stdout.write(
    `${name.padEnd(4)} wall ${median(rs.map((x) => x.wall)).toFixed(2)} s   CPU ${median(rs.map((x) => x.cpu)).toFixed(2)} s   peak RSS ${median(rs.map((x) => x.rss)).toFixed(0)} MB (most ${Math.max(...rs.map((x) => x.rss)).toFixed(0)})\n`,
  );
}
