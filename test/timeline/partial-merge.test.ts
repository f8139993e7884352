// Partial summaries merge into the summary of the whole: for every sample, every PostgreSQL
// fixture (pgBadger's test logs in ../shared/fixtures/postgres, the stack lab's in
// test/fixtures/stacks) and every stack-lab scenario, the records are cut into consecutive parts at
// several points (inside inputs, between a session's `statement:` line and its bare duration, in
// open sessions), each part read by a timeline of its own, their partials merged in order, and the
// JSON report of the merge must equal the one-pass report byte for byte.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InputSummary, LogEvent, MetricSample } from '../../src/model.js';
import { Timeline } from '../../src/timeline/timeline.js';
import { PARTIAL_VERSION, type TimelinePartial } from '../../src/timeline/partial.js';
import { expandInputs } from '../../src/ingest/input-paths.js';
import { unreadInput } from '../../src/ingest/input-summary.js';
import { readInput } from '../../src/ingest/read-input.js';
import { DETECTORS } from '../../src/detectors/registry.js';
import { analyzeSummary } from '../../src/pipeline.js';
import { renderJson } from '../../src/report/json.js';

const interests = DETECTORS.flatMap((d) => d.meta.interests ?? []);

/** What reading the inputs gives, in order: each input's start, its records and samples, its end (with its summary). */
type Item = { kind: 'start'; input: number; name: string } | { kind: 'event'; input: number; ev: LogEvent } | { kind: 'metric'; input: number; s: MetricSample } | { kind: 'end'; input: number; summary: InputSummary };

async function read(paths: string[]): Promise<Item[]> {
  const files = await expandInputs(paths);
  const items: Item[] = [];
  for (let i = 0; i < files.length; i++) {
    items.push({ kind: 'start', input: i, name: files[i]! });
    const summary = await readInput(files[i]!, i, { event: (ev) => items.push({ kind: 'event', input: i, ev }), metric: (s) => items.push({ kind: 'metric', input: i, s }) }).catch(() => unreadInput(files[i]!, 'not a log'));
    items.push({ kind: 'end', input: i, summary });
  }
  return items;
}

function feed(t: Timeline, it: Item, local: (input: number) => number): void {
  if (it.kind === 'event') {
    it.ev.input = local(it.input);
    t.event(it.ev);
  } else if (it.kind === 'metric') t.metric(it.s);
}

function report(t: Timeline): string {
  const summary = t.finish();
  return renderJson({ timeline: summary, ...analyzeSummary(summary) });
}

/** The one-pass report. */
function whole(items: readonly Item[]): string {
  const t = new Timeline({ interests });
  for (const it of items) {
    if (it.kind === 'start') t.registerInput(it.name);
    else if (it.kind === 'end') t.addInputSummary(it.summary);
    else feed(t, it, (i) => i);
  }
  return report(t);
}

/** The report of the parts between `cuts` (item indexes), each read by its own timeline, merged in order (through structured clones, as from a worker). */
function merged(items: readonly Item[], cuts: readonly number[]): string {
  const bounds = [0, ...cuts, items.length];
  const partials: TimelinePartial[] = [];
  let open: { input: number; name: string } | null = null;
  for (let p = 0; p + 1 < bounds.length; p++) {
    const t = new Timeline({ interests, part: true });
    const locals = new Map<number, number>();
    const continues = open !== null;
    if (open !== null) locals.set(open.input, t.registerInput(open.name));
    for (let k = bounds[p]!; k < bounds[p + 1]!; k++) {
      const it = items[k]!;
      if (it.kind === 'start') {
        locals.set(it.input, t.registerInput(it.name));
        open = { input: it.input, name: it.name };
      } else if (it.kind === 'end') {
        t.addInputSummary(it.summary);
        open = null;
      } else feed(t, it, (i) => locals.get(i)!);
    }
    // An input the part ends inside: what this part read of it is nothing the summary counts (the
    // reader's summary comes with its end).
    if (open !== null) t.addInputSummary({ path: open.name, format: '', formatReason: '', lines: 0, events: 0, skipped: 0, skippedExamples: [], records: 0, samples: 0, services: [], firstTs: null, lastTs: null, warnings: [] });
    partials.push(structuredClone(t.partial(continues)));
  }
  return report(Timeline.fromPartials(partials, { interests }));
}

/** Cut points: four spread over the input (its first and last records alone), right after a `statement:` line and after a `connection authorized` (a session's statement and its duration, a session's open and close, in different parts). */
function cutsOf(items: readonly Item[]): number[][] {
  const n = items.length;
  const after = (re: RegExp, nth: number) => {
    let seen = 0;
    for (let k = 0; k < n; k++) {
      const it = items[k]!;
      if (it.kind === 'event' && re.test(it.ev.message) && seen++ === nth) return k + 1;
    }
    return -1;
  };
  const sets = [[1, Math.floor(n / 5), Math.floor(n / 2) + 1, n - 2]];
  for (const re of [/^statement: /, /^connection authorized/, /^duration: /]) {
    const a = after(re, 0);
    const b = after(re, 3);
    if (a > 0) sets.push([a, ...(b > a ? [b] : [])]);
  }
  return sets.map((s) => [...new Set(s.filter((c) => c > 0 && c < n))].sort((x, y) => x - y));
}

/** Leaf directories and PostgreSQL logs to read as one run each. */
function cases(): string[] {
  const out = ['samples/whendoist', 'samples/bot-workers', 'samples/pg-guardrails', 'samples/restart-loop'];
  const leaves = (dir: string): string[] => {
    const subs = readdirSync(dir).filter((d) => statSync(join(dir, d)).isDirectory());
    const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile() && !/README|LICENSE/.test(f));
    return [...(files.length > 0 ? [dir] : []), ...subs.flatMap((d) => leaves(join(dir, d)))];
  };
  if (existsSync('test/fixtures/stacks')) out.push(...leaves('test/fixtures/stacks'));
  for (const dir of ['../shared/fixtures/postgres', 'test/fixtures/postgres', 'test/fixtures/multiline', 'test/fixtures/secrets']) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) if (/\.(log|stderr|jsonl)$/.test(f) && statSync(join(dir, f)).size < 400_000) out.push(join(dir, f));
  }
  return out;
}

describe('partial summaries', () => {
  it('are versioned plain data', async () => {
    const t = new Timeline({ interests, part: true });
    const items = await read(['samples/restart-loop']);
    for (const it of items) {
      if (it.kind === 'start') t.registerInput(it.name);
      else if (it.kind === 'end') t.addInputSummary(it.summary);
      else feed(t, it, (i) => i);
    }
    const p = t.partial();
    expect(p.version).toBe(PARTIAL_VERSION);
    expect(structuredClone(p)).toEqual(p);
    expect(() => Timeline.fromPartials([{ ...p, version: 99 } as unknown as TimelinePartial])).toThrow(/version 99/);
  });

  for (const c of cases()) {
    it(`merge into the one-pass report: ${c}`, async () => {
      // The same records for every run: the timeline changes nothing of an event it is given twice.
      const items = await read([c]);
      const one = whole(items);
      for (const cuts of cutsOf(items)) expect(merged(items, cuts), `cut at ${cuts.join(', ')}`).toBe(one);
    });
  }
});
