// Issue 19: a JSON value nested a few thousand levels deep ended the run with "internal error"
// (a stack overflow wherever a value is walked: the kept event's copy, JSON.stringify, the
// report). Deeper than MAX_JSON_DEPTH, a value is kept as its JSON text, counted and warned.
// The envelopes are the formats' own (a `railway logs --json` line of samples/whendoist, a
// PostgreSQL 15 jsonlog line of test/fixtures/postgres/pg_vacuums.json, from pgBadger's corpus);
// the deep values are adversarial by construction.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MAX_JSON_DEPTH, depthTally, parseJsonBounded } from '../../src/ingest/json-depth.js';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import { railwayHttp } from '../../src/ingest/formats/railway-http.js';
import { postgresJson } from '../../src/ingest/formats/postgres-json.js';
import { runFormat } from './run-format.js';
import { runCli } from '../cli/run-cli.js';

const arrays = (d: number) => '['.repeat(d) + ']'.repeat(d);
const objects = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
const railwayLines = readFileSync('samples/whendoist/whendoist.jsonl', 'utf8').split('\n').slice(0, 40);
/** A real line with one more member, `value` (raw JSON), before its closing brace. */
const withMember = (line: string, value: string) => `${line.slice(0, -1)},"payload":${value}}`;

describe('JSON values nested too deep (issue 19)', () => {
  it('keeps a value deeper than the bound as its JSON text, and everything shallower as is', () => {
    const t = depthTally();
    const o = parseJsonBounded(`{"m":"x","deep":${objects(5000)},"ok":[1,{"b":2}],"s":"[[[{"}`, t, 7) as Record<string, unknown>;
    expect(o.m).toBe('x');
    expect(o.ok).toEqual([1, { b: 2 }]);
    expect(o.s).toBe('[[[{');
    let v: unknown = o.deep;
    let depth = 1;
    while (typeof v === 'object' && v !== null) {
      v = (v as Record<string, unknown>).a;
      depth++;
    }
    // The line's object is level 1: the value that opens at level MAX_JSON_DEPTH + 1 is text.
    expect(depth).toBe(MAX_JSON_DEPTH);
    expect(typeof v).toBe('string');
    expect(JSON.parse(v as string)).toBeDefined();
    expect(t).toEqual({ cut: 1, firstLine: 7 });
    // Exactly at the bound: parsed as it is.
    const at = depthTally();
    expect(JSON.stringify(parseJsonBounded(`{"x":${arrays(MAX_JSON_DEPTH - 1)}}`, at, 1))).toBe(`{"x":${arrays(MAX_JSON_DEPTH - 1)}}`);
    expect(at.cut).toBe(0);
    // Not JSON stays not JSON, whatever its brackets.
    expect(() => parseJsonBounded('{"a":' + '['.repeat(100), depthTally(), 1)).toThrow(SyntaxError);
  });

  it('railway-json, railway-http and postgres-json keep the line and warn once with a count', () => {
    const deep = withMember(railwayLines[3]!, arrays(5000));
    const rj = runFormat(railwayJson, [...railwayLines.slice(0, 10), deep, deep]);
    expect(rj.events.length).toBeGreaterThan(0);
    expect(rj.skipped).toEqual([]);
    expect(rj.warnings).toEqual([`2 JSON values nested deeper than ${MAX_JSON_DEPTH} levels (the first at line 11) were kept as their JSON text`]);
    const http = runFormat(railwayHttp, [withMember('{"timestamp":"2026-02-07T19:12:02.412Z","method":"GET","path":"/x","httpStatus":500,"totalDuration":12}', objects(3000))]);
    expect(http.events).toHaveLength(1);
    expect(http.warnings).toHaveLength(1);
    const pg = readFileSync('test/fixtures/postgres/pg_vacuums.json', 'utf8').split('\n').slice(0, 3);
    const pj = runFormat(postgresJson, [...pg, withMember(pg[0]!, objects(3000))]);
    expect(pj.events).toHaveLength(4);
    expect(pj.warnings).toEqual([`1 JSON value nested deeper than ${MAX_JSON_DEPTH} levels (the first at line 4) was kept as its JSON text`]);
  });

  it('a message that is itself a deep object: analyze writes every format, no internal error', async () => {
    const lines = [...railwayLines, withMember(railwayLines[5]!, arrays(5000)), `{"timestamp":"2026-02-01T09:00:00Z","level":"error","message":${objects(5000)}}`];
    for (const format of ['markdown', 'json', 'text']) {
      const r = await runCli(['analyze', '--format', format], { stdin: lines.join('\n') + '\n' });
      expect(r.stderr, format).toBe('');
      expect(r.code, format).toBe(0);
      expect(r.stdout, format).toContain('nested deeper than 64 levels');
    }
  });
});
