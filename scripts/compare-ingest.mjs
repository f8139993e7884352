#!/usr/bin/env node
// Whether two builds of hindsight ingest the same inputs into the same events: for each input,
// every event (with its attributes read out), metric sample and the input summary are hashed, and
// the hashes of the two builds compared. Used to check a rewrite of the hot path changed nothing.
//   node scripts/compare-ingest.mjs OLD_DIST NEW_DIST [inputs...]
// Without inputs: the bench inputs (bench-data/*-100mb.*) and every file under samples/.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const [oldDist, newDist, ...given] = process.argv.slice(2);
if (!oldDist || !newDist) {
  process.stderr.write('usage: node scripts/compare-ingest.mjs OLD_DIST NEW_DIST [inputs...]\n');
  process.exit(2);
}

function walk(dir) {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : /\.(jsonl|log|json)$/.test(n) ? [p] : [];
  });
}

const inputs = given.length > 0 ? given : [
  ...['railway-100mb.jsonl', 'railway-short-100mb.jsonl', 'postgres-100mb.log'].map((f) => join(ROOT, 'bench-data', f)).filter(existsSync),
  ...walk(join(ROOT, 'samples')),
];

/** A hash of everything an ingest of `file` with the build at `dist` produces. */
async function digest(dist, file) {
  const { readInput } = await import(pathToFileURL(join(resolve(dist), 'ingest/read-input.js')).href);
  const h = createHash('sha256');
  let events = 0;
  const receiver = {
    event(ev) {
      events++;
      // attrs is read through the same API readers use (own keys, then values).
      const attrs = ev.attrs === undefined ? undefined : Object.fromEntries(Object.keys(ev.attrs).map((k) => [k, ev.attrs[k]]));
      h.update(JSON.stringify({ ...ev, attrs, keys: Object.keys(ev) }) + '\n');
    },
    metric(s) {
      h.update('M' + JSON.stringify(s) + '\n');
    },
  };
  const s = await readInput(file, 0, receiver, {});
  h.update('S' + JSON.stringify(s));
  return { hash: h.digest('hex').slice(0, 16), events, lines: s.lines, skipped: s.skipped };
}

let differ = 0;
for (const f of inputs) {
  const a = await digest(oldDist, f);
  const b = await digest(newDist, f);
  const same = a.hash === b.hash;
  if (!same) differ++;
  process.stdout.write(`${same ? 'same' : 'DIFFERENT'}  ${f}: ${a.lines} lines, ${a.events} events, ${a.skipped} skipped, ${a.hash}${same ? '' : ` vs ${b.hash} (${b.events} events)`}\n`);
}
process.exit(differ > 0 ? 1 : 0);
