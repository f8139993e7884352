// `npm run eval:templates`: the template miner's grouping accuracy (GA) and F1 of groups (FGA) on
// the real-format-string set (test/templates/eval/real-formats.ts), per source and for its two
// parts, and on the own hand-written set (test/templates/eval/systems.ts, holdout.ts).
//
//   npm run eval:templates                       every source, both parts, and the own set
//   npm run eval:templates -- --source celery    only the sources whose name contains "celery"
//   npm run eval:templates -- --errors 10        also the 10 largest mis-grouped groups of the
//                                                tuning part (never of the held-aside part)
//   npm run eval:templates -- --json             machine-readable results
//   npm run eval:templates -- --lists            the list variant of the set: slots named for a list
//                                                (`ids`, `hosts`, `columns`, ...) hold lists
//
// A source's score is the average over its systems (chunks of at most 100 format strings), as the
// benchmark averages over systems; "all sources" averages the sources, so that PostgreSQL's 5,000
// format strings count as one source. Run with vite-node (it imports the test helpers in TypeScript).
import { TemplateMiner } from '../src/templates/miner.js';
import { generate, type System } from '../test/templates/eval/generate.js';
import { HOLDOUT } from '../test/templates/eval/holdout.js';
import type { GroupScores } from '../test/templates/eval/metrics.js';
import { buildRealSet, type RealSystem } from '../test/templates/eval/real-formats.js';
import { scoreSystem } from '../test/templates/eval/score.js';
import { SYSTEMS } from '../test/templates/eval/systems.js';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const only = opt('--source');
const errors = Number(opt('--errors') ?? 0);
const json = args.includes('--json');
const lists = args.includes('--lists');

interface Row {
  name: string;
  systems: number;
  formats: number;
  lines: number;
  ga: number;
  fga: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const row = (name: string, scored: { sys: RealSystem; s: GroupScores }[]): Row => ({
  name,
  systems: scored.length,
  formats: scored.reduce((a, x) => a + x.sys.formats, 0),
  lines: scored.reduce((a, x) => a + x.sys.messages.length, 0),
  ga: mean(scored.map((x) => x.s.ga)),
  fga: mean(scored.map((x) => x.s.fga)),
});

/** The largest truth groups of a system that the miner split or merged, with its groups for them. */
function misgrouped(sys: RealSystem, limit: number): string[] {
  const miner = new TemplateMiner();
  const ids = sys.messages.map((m) => miner.add('eval', m));
  const fin = miner.finalize();
  const pred = ids.map((id) => fin.idOf(id));
  const byTruth = new Map<string, number[]>();
  const byPred = new Map<number, number[]>();
  sys.labels.forEach((l, i) => {
    (byTruth.get(l) ?? byTruth.set(l, []).get(l)!).push(i);
    (byPred.get(pred[i]!) ?? byPred.set(pred[i]!, []).get(pred[i]!)!).push(i);
  });
  const out: { size: number; text: string }[] = [];
  for (const [label, lines] of byTruth) {
    const preds = new Set(lines.map((i) => pred[i]!));
    const exact = preds.size === 1 && byPred.get(pred[lines[0]!]!)!.length === lines.length;
    if (exact) continue;
    const templates = [...preds].slice(0, 3).map((p) => `      → ${fin.templates.find((t) => t.id === p)?.text ?? p} (${byPred.get(p)!.length} lines)`);
    out.push({ size: lines.length, text: `  ${sys.name} ×${lines.length}: ${label}\n    e.g. ${sys.messages[lines[0]!]}\n${templates.join('\n')}` });
  }
  return out.sort((a, b) => b.size - a.size).slice(0, limit).map((x) => x.text);
}

const systems = buildRealSet(undefined, lists).filter((s) => !only || s.source.includes(only));
const scored = systems.map((sys) => ({ sys, s: scoreSystem(sys.messages, sys.labels) }));
const sources = [...new Set(systems.map((s) => s.source))];
const result: Record<string, Row[]> = { tune: [], held: [] };
for (const part of ['tune', 'held'] as const) {
  for (const source of sources) {
    const mine = scored.filter((x) => x.sys.source === source && x.sys.part === part);
    if (mine.length) result[part]!.push(row(source, mine));
  }
}
const average = (rows: Row[]) => ({ ga: mean(rows.map((r) => r.ga)), fga: mean(rows.map((r) => r.fga)) });
/** The own set scored as accuracy.test.ts does it: 2,000 lines per system, the same seeds. */
function ownSet(set: readonly System[], seed: number) {
  const s = set.map((sys, i) => {
    const l = generate(sys, 2000, seed + i);
    return scoreSystem(l.messages, l.labels);
  });
  return { ga: mean(s.map((x) => x.ga)), fga: mean(s.map((x) => x.fga)) };
}
const own = only ? null : { own: ownSet(SYSTEMS, 1000), holdout: ownSet(HOLDOUT, 5000) };

if (json) {
  console.log(JSON.stringify({ real: result, averages: { tune: average(result.tune!), held: average(result.held!) }, own }, null, 2));
} else {
  const f = (x: number) => (Number.isNaN(x) ? '  -  ' : x.toFixed(3));
  console.log(`Real-format-string set (test/templates/formats)${lists ? ', list variant' : ''}: GA / FGA, averaged over each source's systems\n`);
  console.log(`${'source'.padEnd(15)} ${'tuning part'.padEnd(34)} held-aside part`);
  for (const source of sources) {
    const t = result.tune!.find((r) => r.name === source);
    const h = result.held!.find((r) => r.name === source);
    const cell = (r?: Row) => (r ? `${f(r.ga)} ${f(r.fga)}  (${r.formats} fmt, ${r.lines} lines)`.padEnd(34) : '-'.padEnd(34));
    console.log(`${source.padEnd(15)} ${cell(t)} ${cell(h)}`);
  }
  const at = average(result.tune!);
  const ah = average(result.held!);
  console.log(`${'all sources'.padEnd(15)} ${`${f(at.ga)} ${f(at.fga)}`.padEnd(34)} ${f(ah.ga)} ${f(ah.fga)}`);
  const coll = systems.reduce((a, s) => a + s.collisions, 0);
  if (coll) console.log(`(${coll} lines dropped: every fill tried wrote another format's message)`);
  if (own) console.log(`\nOwn set (test/templates/eval/systems.ts): GA ${f(own.own.ga)} FGA ${f(own.own.fga)}; its hold-out (holdout.ts): GA ${f(own.holdout.ga)} FGA ${f(own.holdout.fga)}`);
  if (errors > 0) {
    console.log(`\nLargest mis-grouped groups of the tuning part (the held-aside part is never shown):`);
    const all = systems.filter((s) => s.part === 'tune').flatMap((s) => misgrouped(s, errors).map((t) => ({ t, n: Number(/×(\d+)/.exec(t)![1]) })));
    for (const x of all.sort((a, b) => b.n - a.n).slice(0, errors)) console.log(x.t);
  }
}
