// Issue 19's proof: seeded, mutated inputs of every format through every command and output,
// in-process. Lines of the samples, the PostgreSQL fixtures, the stack captures and each format's
// own example are cut, spliced, flipped byte by byte, nested deep, given huge and tiny numbers and
// out-of-range dates, and sprinkled with secrets from test/fixtures/secrets/corpus.ts (in a message,
// an attribute, a service name, --title; after filler of any length, so that they straddle every
// cut). Every case must end with exit code 0, 1 or 2 and no internal error, in bounded time; with
// no piece of any inserted secret in any output (standard output, standard error, the digest's
// state); with lines = events + skipped; with well-formed output: markdown whose fences, tables and
// Mermaid blocks are balanced, JSON valid against docs/hindsight.schema.json.
//
// Seeded: the same cases on every run. A failure names the case number and the seed; FUZZ_SEED
// and FUZZ_CASES run another set (e.g. FUZZ_CASES=20000 for a long night). `npm test` runs 300
// cases (about 8 s, in the unit suite's two minutes); .ci/run adds 3,700 on another seed.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Ajv2020 from 'ajv/dist/2020.js';
import { runCli } from './run-cli.js';
import { FORMATS } from '../../src/ingest/registry.js';
import { leakedPiece, rng, SECRET_SHAPES, type Rand } from '../fixtures/secrets/corpus.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const CASES = Number(process.env.FUZZ_CASES ?? 300);
/** FUZZ_ONLY=n runs case n alone and writes its input to $TMPDIR/hindsight-fuzz-case-n, to reproduce it. */
const ONLY = process.env.FUZZ_ONLY === undefined ? undefined : Number(process.env.FUZZ_ONLY);
/** A case that takes longer than this is a hang (generous: the suite shares two cores with others). */
const CASE_MS = 15_000;

const schema = JSON.parse(readFileSync('docs/hindsight.schema.json', 'utf8'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const validate = new (Ajv2020 as any)({ allErrors: true, strict: true }).compile(schema);

/** The files under `dir` worth mutating (text logs of modest size). */
function walk(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return walk(p);
    return /README|LICENSE|\.(md|gz|py|js|ts|sh|yml|yaml|toml|txt)$/.test(n) || statSync(p).size > 4_000_000 ? [] : [p];
  });
}

/** Inputs to mutate: real files, and each format's example as a few lines of its own. */
const SOURCES: { name: string; lines: string[] }[] = [
  ...['samples', 'test/fixtures/postgres', 'test/fixtures/stacks'].flatMap(walk).map((p) => ({ name: p, lines: readFileSync(p, 'latin1').split('\n') })),
  ...FORMATS.map((f) => ({ name: `example of ${f.id}`, lines: Array.from({ length: 12 }, () => f.example.split('\n')).flat() })),
];

const JUNK = ['\\', '"', '{', '}', '[', ']', ',', ':', '\n', '\r\n', '\t', '\u0000', '\u001b[31m', '\u001b]0;x', '\u202e', '\u2028', '\ufffd', 'é', '😀', '\ud800', 'null', 'ERROR:  ', 'DETAIL:  ', 'STATEMENT:  ', 'Traceback (most recent call last):\n', '```', '|', '<script>', '# ', '\n---\n'];
const NUMBERS = ['1e308', '-1e308', '1e999', '-1e14', '5e-324', '0', '-0', '9007199254740993', '1e21', '-1', '4294967296', '0.000001', '123456789012345678901234567890'];
const DATES = ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '2099-01-01T00:00:00Z', '1900-01-01 00:00:00 UTC', '+275760-09-13T00:00:00Z', '2026-13-45T25:61:61Z', '2026-02-30 24:00:00.000 UTC', '1e308', '-1e14'];
/** What comes between the filler and a planted secret: `_` glues it to a name (`f_ghp_...`). */
const SEPARATORS = [' ', ' ', '=', ': ', '"', ',', '(', '\t', '\\n', '_'];

interface Planted {
  secret: string;
  shape: string;
  /** The text planted around it (not set for --title). */
  text?: string;
}

/** A JSON value nested `depth` levels deep (arrays and objects). */
function nested(depth: number, r: Rand): string {
  const o = r(2) === 0;
  return (o ? '{"a":'.repeat(depth) : '['.repeat(depth)) + '"deep"' + (o ? '}' : ']').repeat(depth);
}

/** `lines`, mangled: a few mutations of random kinds. */
function mutate(lines: string[], r: Rand): string[] {
  for (let k = 1 + r(6); k > 0 && lines.length > 0; k--) {
    const i = r(lines.length);
    const l = lines[i]!;
    const p = r(l.length + 1);
    switch (r(11)) {
      case 0: lines[i] = l.slice(0, p); break; // truncated
      case 1: lines[i] = l.slice(0, p) + JUNK[r(JUNK.length)] + l.slice(p); break;
      case 2: lines[i] = l.slice(0, p) + l.slice(p + 1 + r(40)); break;
      case 3: lines.splice(i, 0, lines[r(lines.length)]!); break;
      case 4: lines[i] = l.slice(0, p) + String.fromCharCode(r(256)) + l.slice(p + 1); break; // byte flip
      case 5: lines[i] = l.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, (m) => (r(3) === 0 ? NUMBERS[r(NUMBERS.length)]! : m)); break;
      case 6: lines[i] = l.replace(/\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z?( UTC)?|"ts":\s*[\d.]+|"timestamp":\s*\d+/g, (m) => (m.startsWith('"') ? m.replace(/[\d.]+$/, DATES[r(DATES.length)]!) : DATES[r(DATES.length)]!)); break;
      case 7: lines[i] = l.replace(/"[^"]*"\s*}\s*$/, () => `${nested([3, 60, 900, 5000][r(4)]!, r)}}`); break; // nesting
      case 8: lines[i] = l + ' ' + 'x'.repeat([100, 9000, 70_000][r(3)]!); break; // long line
      case 9: lines.splice(i, 1 + r(5)); break;
      default: lines[i] = l.replace(/\d/g, () => String(r(10)));
    }
  }
  return lines;
}

/**
 * Plants a fresh secret in a line of `lines`: in a JSON field (message, attribute, service) or
 * anywhere in text, after filler of any length, glued to it by `_` too; in a SQL statement, quoted
 * or not (statements are shown normalised, lower case with digits masked: from their text redacted
 * first, src/timeline/postgres-stats.ts's shownStatement and the miner); as a column name of a
 * metrics CSV header (a measurement's name, lower case: from the name redacted first). A word
 * secret whose key the template masker turns into <*> (`f=secret: word`, `DB_TOKEN: word`) is
 * planted and checked in every output: a template's text comes from its first message redacted
 * before masking (src/templates/miner.ts).
 */
function plant(lines: string[], r: Rand, planted: Planted[], sql: boolean): void {
  if (lines.length === 0) return;
  const shape = SECRET_SHAPES[r(SECRET_SHAPES.length)]!;
  const made = shape.make(r);
  const { secret } = made;
  // In PostgreSQL logs, quoted half the time: a literal of a statement, or harmless quotes in a message.
  const text = sql && !made.text.includes("'") && r(2) === 0 ? `'${made.text}'` : made.text;
  const filler = 'f'.repeat([0, 3, 380 + r(40), 480 + r(40), 1000 + r(100), 8150 + r(60), 20_000][r(7)]!);
  const i = r(lines.length);
  const l = lines[i]!;
  let json: string | null = null;
  try {
    const o = l.trimStart().startsWith('{') ? (JSON.parse(l) as unknown) : null;
    if (o !== null && typeof o === 'object' && !Array.isArray(o)) {
      const rec = o as Record<string, unknown>;
      const keys = Object.keys(rec).filter((k) => typeof rec[k] === 'string');
      const field = ['message', 'msg', 'service', 'attr', ...keys][r(4 + keys.length)]!;
      const before = typeof rec[field] === 'string' ? (rec[field] as string) : '';
      const at = boundary(before, r, planted);
      // At a token boundary: secrets are words of a line, not glued to the letters around them.
      rec[field] = before.slice(0, at) + (at > 0 ? ' ' : '') + filler + SEPARATORS[r(SEPARATORS.length)] + text + ' ' + before.slice(at);
      json = JSON.stringify(rec);
    }
  } catch {
    json = null; // not JSON, or nested too deep for JSON.stringify: planted as text
  }
  if (json !== null) lines[i] = json;
  else {
    const header = /^\W*(timestamp|time|ts|date)\W*([,;\t])/i.exec(l);
    if (header !== null) {
      // A metrics CSV header: the secret as the name of one of its measurement columns.
      const cells = l.split(header[2]!);
      if (cells.length < 2 || /[,;\t"\n]/.test(made.text)) return;
      cells[1 + r(cells.length - 1)] = made.text;
      lines[i] = cells.join(header[2]!);
      planted.push({ secret, shape: shape.name, text: made.text });
      return;
    }
    const at = boundary(l, r, planted);
    lines[i] = l.slice(0, at) + ' ' + filler + SEPARATORS[r(SEPARATORS.length)] + text + ' ' + l.slice(at);
  }
  planted.push({ secret, shape: shape.name, text });
}

/** A place to insert at in `s`: its start, its end, or a whitespace (secrets are words, not glued to others, nor cut by the next one planted). */
function boundary(s: string, r: Rand, planted: readonly Planted[]): number {
  // Not inside a secret planted before: "token: <filler> uuid" would part a value from its key.
  const inside: [number, number][] = [];
  for (const p of planted) {
    if (p.text === undefined) continue;
    for (let at = s.indexOf(p.text); at !== -1; at = s.indexOf(p.text, at + 1)) inside.push([at, at + p.text.length]);
  }
  const ws = [...s.matchAll(/\s/g)].map((m) => m.index!).filter((w) => !inside.some(([a, b]) => w > a && w < b));
  const places = [0, s.length, ...ws];
  return places[r(places.length)]!;
}

interface Case {
  args: string[];
  stdin: Buffer;
  planted: Planted[];
  what: string;
  state?: string;
}

function makeCase(n: number, r: Rand, dir: string): Case {
  const src = SOURCES[r(SOURCES.length)]!;
  const from = r(Math.max(1, src.lines.length - 10));
  const lines = mutate(src.lines.slice(from, from + 10 + r(50)), r);
  const planted: Planted[] = [];
  const sql = /postgres|pgbadger|pg-guardrails|pg_/.test(src.name);
  for (let k = r(4); k > 0; k--) plant(lines, r, planted, sql);
  let stdin = Buffer.from(lines.join('\n'), 'latin1');
  // Planted secrets are UTF-8 text like the rest; bytes beyond latin1 came from the mutations.
  if (planted.length > 0) stdin = Buffer.from(lines.join('\n'), 'utf8');
  if (r(25) === 0) {
    const gz = gzipSync(stdin);
    stdin = r(2) === 0 ? gz : gz.subarray(0, r(gz.length));
  }
  const command = r(8);
  const inputFormat = r(4) === 0 ? ['--input-format', FORMATS[r(FORMATS.length)]!.id] : [];
  const title: string[] = [];
  if (r(8) === 0) {
    const { text, secret } = SECRET_SHAPES[r(SECRET_SHAPES.length)]!.make(r);
    title.push('--title', `Outage\n# ${text}\u202e`);
    planted.push({ secret, shape: '--title' });
  }
  let args: string[];
  let state: string | undefined;
  if (command < 4) args = ['analyze', '-', '--format', ['markdown', 'json', 'text', 'json'][command]!, ...title];
  else if (command < 6) args = ['templates', '-', ...(command === 4 ? ['--format', ['table', 'json'][r(2)]!] : ['--per-line'])];
  else {
    state = join(dir, `state-${n}.json`);
    args = ['digest', '-', '--state', state, ...title];
  }
  args.push(...inputFormat);
  return { args, stdin, planted, state, what: `case ${n} (FUZZ_SEED=${SEED}): ${src.name} from line ${from + 1}, hindsight ${args.join(' ')}` };
}

/** What is wrong with a markdown document's structure, or null. */
function markdownProblem(md: string): string | null {
  const lines = md.split('\n');
  let fence: string | null = null;
  let table: number | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (fence !== null) {
      if (l.startsWith(fence[0]!) && l.trim() === fence[0]!.repeat(l.trim().length) && l.trim().length >= fence.length) fence = null;
      continue;
    }
    const open = /^(`{3,}|~{3,})(.*)$/.exec(l);
    if (open) {
      if (open[1]![0] === '`' && open[2]!.includes('`')) return `line ${i + 1}: a fence whose info string holds a backtick`;
      fence = open[1]!;
      table = null;
      continue;
    }
    if (l.startsWith('|')) {
      const cells = l.replace(/\\\|/g, '').split('|').length;
      if (table === null) table = cells;
      else if (cells !== table) return `line ${i + 1}: a table row with ${cells - 2} cells under a header of ${table - 2}: ${l.slice(0, 120)}`;
    } else table = null;
  }
  return fence !== null ? `a fence ${fence} never closed` : null;
}

describe('fuzz: mutated inputs of every format through every command and output', () => {
  it(`${CASES} seeded cases keep every promise`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-fuzz-'));
    const r = rng(SEED);
    const failures: string[] = [];
    const codes = [0, 0, 0];
    let secrets = 0;
    let slowest = { ms: 0, what: '' };
    try {
      for (let n = 0; n < CASES && failures.length < 5; n++) {
        const c = makeCase(n, r, dir);
        if (ONLY !== undefined && n !== ONLY) continue;
        if (ONLY !== undefined) writeFileSync(join(tmpdir(), `hindsight-fuzz-case-${n}`), c.stdin);
        const t0 = performance.now();
        const res = await runCli(c.args, { stdin: c.stdin, env: {} });
        const ms = performance.now() - t0;
        if (ms > slowest.ms) slowest = { ms, what: c.what };
        secrets += c.planted.length;
        const fail = (why: string) => failures.push(`${c.what}\n  ${why}`);
        if (ms > CASE_MS) fail(`took ${Math.round(ms)} ms`);
        if (![0, 1, 2].includes(res.code)) fail(`exit code ${res.code}`);
        else codes[res.code]!++;
        if (/internal error|\n\s+at /.test(res.stderr)) fail(`stderr: ${res.stderr.slice(0, 300)}`);
        if (res.code === 2 && !/^hindsight: [^\n]+\n(\n[\s\S]*)?$/.test(res.stderr)) fail(`exit code 2 without one hindsight: line: ${res.stderr.slice(0, 300)}`);
        let all = res.stdout + res.stderr;
        if (c.state !== undefined) {
          try {
            all += readFileSync(c.state, 'utf8');
          } catch {
            // No state when the run stopped with exit code 2.
          }
        }
        for (const p of c.planted) {
          const piece = leakedPiece(p.secret, all);
          if (piece !== null) fail(`${p.shape} secret leaked (${JSON.stringify(piece)} of ${JSON.stringify(p.secret)}) near: ${JSON.stringify(all.slice(Math.max(0, all.indexOf(piece) - 120), all.indexOf(piece) + 60))}`);
        }
        if (res.code === 2) continue;
        const format = c.args[0] === 'digest' ? 'markdown' : c.args.includes('--per-line') ? 'lines' : (c.args[c.args.indexOf('--format') + 1] ?? (c.args[0] === 'templates' ? 'table' : 'markdown'));
        if (format === 'markdown') {
          const problem = markdownProblem(res.stdout);
          if (problem) fail(`markdown: ${problem}`);
        } else if (format === 'json') {
          let doc: { inputs?: { lines: number; events: number; skipped: number }[] };
          try {
            doc = JSON.parse(res.stdout);
          } catch (e) {
            fail(`JSON: ${(e as Error).message}`);
            continue;
          }
          if (c.args[0] === 'analyze') {
            if (!validate(doc)) fail(`JSON against the schema: ${JSON.stringify(validate.errors).slice(0, 400)}`);
            for (const i of doc.inputs ?? []) if (i.lines !== i.events + i.skipped) fail(`lines ${i.lines} != events ${i.events} + skipped ${i.skipped}`);
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
    if (ONLY !== undefined) return;
    // Both ends are exercised: inputs read into a report, and inputs refused.
    expect(codes[0]! + codes[1]!, `slowest: ${slowest.what} (${Math.round(slowest.ms)} ms)`).toBeGreaterThan(CASES / 4);
    expect(codes[2]).toBeGreaterThan(CASES / 20);
    expect(secrets).toBeGreaterThan(CASES / 2);
  }, 600_000);
});
