#!/usr/bin/env node
// The in-process measurements behind docs/PERFORMANCE.md's notes on the railway-json hot path:
// per-line cost of JSON.parse, of the member scanner on the line's bytes (as read-input hands ASCII
// lines over) and on bytes made from the string, and of the railway-json parser taking each path:
// bytes (lineAt on each line's own string), string (line), and JSON.parse (lines the scanner declines).
// Medians of 9 interleaved runs on the first 150,000 lines of a bench input (run `npm run bench`
// once to generate bench-data/, and `npm run build`).
//   node scripts/profile-ingest.mjs [bench-data/railway-short-100mb.jsonl]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? join(ROOT, 'bench-data/railway-short-100mb.jsonl');
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', p)).href);
const { scanObject } = await dist('ingest/json-scan.js');
const { railwayJson } = await dist('ingest/formats/railway-json.js');

const N = 150_000;
const buf = readFileSync(file).subarray(0, 64 << 20);
const text = buf.toString('latin1');
const flat = [];
const sliced = [];
const starts = [];
for (let st = 0, i = 0; i < N; i++) {
  const nl = buf.indexOf(10, st);
  if (nl === -1) break;
  flat.push(buf.toString('latin1', st, nl)); // as read-input hands lines over
  sliced.push(text.slice(st, nl)); // as a split of one big chunk string gives them
  starts.push(st);
  st = nl + 1;
}
// The same lines with a first key holding an escape: the scanner declines them, JSON.parse path.
const declined = flat.map((l) => '{"k\\u0041":1,' + l.slice(1));

const sink = { event() {}, metric() {}, consume() {}, skip() {} };
const parser = (lines, bytes) => () => {
  const p = railwayJson.create({ service: 'x', input: 0, sink, options: {} });
  if (bytes) for (let i = 0; i < lines.length; i++) p.lineAt(lines[i], 0, lines[i].length, i + 1, buf, starts[i]);
  else for (let i = 0; i < lines.length; i++) p.line(lines[i], i + 1);
  p.end();
};
const variants = {
  'JSON.parse (flat lines)': () => { for (const l of flat) JSON.parse(l); },
  'JSON.parse (sliced lines)': () => { for (const l of sliced) JSON.parse(l); },
  'scanObject (line bytes)': () => { for (let i = 0; i < flat.length; i++) scanObject(flat[i], buf, starts[i]); },
  'scanObject (bytes from the string)': () => { for (const l of flat) scanObject(l); },
  'railway-json parser, bytes path': parser(flat, true),
  'railway-json parser, string path': parser(flat, false),
  'railway-json parser, JSON.parse path': parser(declined, false),
};
// CPU time of the process (not wall time): on a shared machine it is the steadier of the two.
const times = {};
for (let r = 0; r < 9; r++) {
  for (const [k, fn] of Object.entries(variants)) {
    const t = process.cpuUsage();
    fn();
    const u = process.cpuUsage(t);
    (times[k] ??= []).push((u.user + u.system) / 1000);
  }
}
const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
console.log(`${file}: ${flat.length} lines`);
for (const [k, v] of Object.entries(times)) console.log(`${k.padEnd(40)} ${(median(v) / flat.length * 1e6).toFixed(0).padStart(6)} ns a line`);
