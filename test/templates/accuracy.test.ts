// Grouping accuracy of the miner on the labelled evaluation set (test/templates/eval): 2,000
// lines per system, fed as bare messages with one configuration for all, as the benchmark does.
import { describe, expect, it } from 'vitest';
import { generate } from './eval/generate.js';
import type { GroupScores } from './eval/metrics.js';
import { scoreSystem } from './eval/score.js';
import { SYSTEMS } from './eval/systems.js';
import { HOLDOUT } from './eval/holdout.js';

const LINES = 2000;
/** The hold-out set's floor: below the target on purpose, it guards against regressions. */
const HOLDOUT_GA_FLOOR = 0.8;

describe('template miner accuracy on the evaluation set', () => {
  const rows: { name: string; s: GroupScores }[] = [];
  SYSTEMS.forEach((system, i) => {
    const { messages, labels } = generate(system, LINES, 1000 + i);
    rows.push({ name: system.name, s: scoreSystem(messages, labels) });
  });
  const avg = (f: (s: GroupScores) => number) => rows.reduce((a, r) => a + f(r.s), 0) / rows.length;

  it('reaches GA ≥ 0.95 and FGA ≥ 0.90 on average', () => {
    const table = rows.map((r) => `${r.name.padEnd(14)} GA ${r.s.ga.toFixed(3)}  FGA ${r.s.fga.toFixed(3)}  groups ${r.s.predictedGroups}/${r.s.truthGroups}`).join('\n');
    console.log(`${table}\naverage        GA ${avg((s) => s.ga).toFixed(3)}  FGA ${avg((s) => s.fga).toFixed(3)}`);
    expect(avg((s) => s.ga)).toBeGreaterThanOrEqual(0.95);
    expect(avg((s) => s.fga)).toBeGreaterThanOrEqual(0.9);
  });

  it('no system falls far behind (GA ≥ 0.80 each)', () => {
    for (const r of rows) expect(r.s.ga, r.name).toBeGreaterThanOrEqual(0.8);
  });

  it('holds up on the hold-out set (written after the rules were settled, never tuned on)', () => {
    const held = HOLDOUT.map((system, i) => {
      const { messages, labels } = generate(system, LINES, 5000 + i);
      return { name: system.name, s: scoreSystem(messages, labels) };
    });
    const ga = held.reduce((a, r) => a + r.s.ga, 0) / held.length;
    const fga = held.reduce((a, r) => a + r.s.fga, 0) / held.length;
    console.log(held.map((r) => `${r.name.padEnd(14)} GA ${r.s.ga.toFixed(3)}  FGA ${r.s.fga.toFixed(3)}  groups ${r.s.predictedGroups}/${r.s.truthGroups}`).join('\n') + `\nhold-out avg   GA ${ga.toFixed(3)}  FGA ${fga.toFixed(3)}`);
    expect(ga).toBeGreaterThanOrEqual(HOLDOUT_GA_FLOOR);
  });
});
