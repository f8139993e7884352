// Tests a detector the way ESLint's RuleTester tests a rule: `valid` inputs give no finding,
// `invalid` ones give the findings the test states (count, severity, id, selected data fields).
// Every case runs through the runner (runDetectors with `only: [id]` and the case's options), as
// the CLI runs it, and checks what every detector owes its readers whatever the input: it does not
// throw, its ids are unique and are its id or start with `<id>:` (the runner stamps them from what
// a finding is about: two findings about the same thing collide), every evidence location resolves
// to a line of an input (or a metric series) of the timeline, its `data` survives JSON unchanged,
// and a second run on the same timeline gives the same findings.
import { describe, expect, it } from 'vitest';
import { FINDING_SEVERITIES, type Finding, type FindingSeverity, type MetricSample } from '../../src/model.js';
import type { TimelineSummary } from '../../src/timeline/timeline.js';
import type { Detector, DetectorOptionValue } from '../../src/detectors/detector.js';
import { readTimeline, runDetectors, type DetectorConfig } from '../../src/pipeline.js';
import { buildTimeline, type TestEvent } from './timeline.js';

type Options = Record<string, DetectorOptionValue>;

/**
 * One input of a case: records written in the test (one input named `test.log`, see timeline.ts),
 * captured files read through the real ingest, or a timeline built another way (captured-run.ts).
 */
export interface DetectorCase<O extends Options> {
  name: string;
  events?: readonly TestEvent[];
  metrics?: readonly MetricSample[];
  files?: readonly string[];
  timeline?: () => TimelineSummary | Promise<TimelineSummary>;
  /** Overrides of the detector's defaults, as a configuration file gives them. */
  options?: Partial<O>;
}

/** What one finding must hold (checked with toMatchObject: `data` names only the fields that matter). */
export interface ExpectedFinding {
  id?: string;
  severity?: FindingSeverity;
  title?: unknown;
  data?: Record<string, unknown>;
}

export interface InvalidCase<O extends Options> extends DetectorCase<O> {
  /** The findings in the runner's order (worst first, then time, then id): their number is checked too. */
  findings: readonly ExpectedFinding[];
  /** Further checks on the findings (evidence, narrative). */
  check?: (findings: Finding[], timeline: TimelineSummary) => void;
}

export const DetectorTester = {
  /** A `describe` block for the detector with one test per case. */
  run<O extends Options>(detector: Detector<O>, tests: { valid: readonly DetectorCase<O>[]; invalid: readonly InvalidCase<O>[] }): void {
    const id = detector.meta.id;
    describe(id, () => {
      for (const c of tests.valid) {
        it(`valid: ${c.name}`, async () => {
          expect(checkedFindings(id, await timelineOf(c), c.options)).toEqual([]);
        });
      }
      for (const c of tests.invalid) {
        it(`invalid: ${c.name}`, async () => {
          const t = await timelineOf(c);
          const findings = checkedFindings(id, t, c.options);
          expect(findings, 'number of findings').toHaveLength(c.findings.length);
          c.findings.forEach((want, i) => expect(findings[i], `finding ${i}`).toMatchObject(want));
          c.check?.(findings, t);
        });
      }
    });
  },
};

async function timelineOf(c: DetectorCase<Options>): Promise<TimelineSummary> {
  if (c.timeline) return c.timeline();
  if (c.files) return (await readTimeline(c.files)).summary;
  return buildTimeline(c.events ?? [], c.metrics ?? []);
}

/**
 * The findings of detector `id` on `t` through the runner, after checking the invariants every
 * finding owes (see the top of the file); fails the test with every broken one named.
 */
export function checkedFindings(id: string, t: TimelineSummary, options: Partial<Options> = {}): Finding[] {
  const config = { [id]: options } as DetectorConfig;
  const first = runDetectors(t, config, [id]);
  const run = first.runs.find((r) => r.id === id);
  expect(run, `${id} is not a registered detector`).toBeDefined();
  expect(run!.error, `${id} threw`).toBeUndefined();
  expect(invariantProblems(id, t, first.findings)).toEqual([]);
  expect(runDetectors(t, config, [id]).findings, 'a second run on the same timeline').toStrictEqual(first.findings);
  return first.findings;
}

/** What breaks the contract of a finding of detector `id` on `t`, one line per problem. */
export function invariantProblems(id: string, t: TimelineSummary, findings: readonly Finding[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    if (f.detector !== id) problems.push(`${f.id}: detector is "${f.detector}"`);
    if (f.id !== id && !f.id.startsWith(`${id}:`)) problems.push(`${f.id}: id not prefixed with "${id}:"`);
    if (seen.has(f.id)) problems.push(`${f.id}: id given twice`);
    seen.add(f.id);
    if (!FINDING_SEVERITIES.includes(f.severity)) problems.push(`${f.id}: severity "${f.severity}"`);
    for (const e of f.evidence) {
      const p = locationProblem(t, e.location);
      if (p !== null) problems.push(`${f.id}: evidence ${e.location}: ${p}`);
    }
    problems.push(...jsonProblems(f.data, `${f.id}: data`));
    if (!problems.some((p) => p.startsWith(`${f.id}: data`))) {
      try {
        expect(JSON.parse(JSON.stringify(f.data))).toStrictEqual(f.data);
      } catch {
        problems.push(`${f.id}: data changes through JSON`);
      }
    }
  }
  return problems;
}

/** Why `location` names no line of an input of `t` (`path:line`) nor a metric series (`metrics:service/measurement`), or null. */
function locationProblem(t: TimelineSummary, location: string): string | null {
  if (location.startsWith('metrics:')) {
    const [service, measurement] = splitLast(location.slice('metrics:'.length), '/');
    return t.metrics.some((m) => m.service === service && m.measurement === measurement) ? null : 'no such metric series';
  }
  const [path, lineText] = splitLast(location, ':');
  const input = t.inputs.find((i) => i.path === path);
  if (!t.inputPaths.includes(path) || input === undefined) return 'no such input';
  const line = Number(lineText);
  return Number.isInteger(line) && line >= 1 && line <= input.lines ? null : `line outside 1..${input.lines}`;
}

function splitLast(s: string, sep: string): [string, string] {
  const at = s.lastIndexOf(sep);
  return at < 0 ? [s, ''] : [s.slice(0, at), s.slice(at + 1)];
}

/** Values JSON cannot carry as they are: undefined, NaN and infinities, functions, class instances (Date, Map, Set). */
function jsonProblems(v: unknown, path: string): string[] {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return [];
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [`${path} is ${v}`];
  if (Array.isArray(v)) return v.flatMap((x, i) => jsonProblems(x, `${path}[${i}]`));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== Object.prototype && proto !== null) return [`${path} is a ${(v as object).constructor.name}`];
    return Object.entries(v).flatMap(([k, x]) => jsonProblems(x, `${path}.${k}`));
  }
  return [`${path} is ${typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`}`];
}
