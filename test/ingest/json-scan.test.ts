import { describe, expect, it } from 'vitest';
import { scanObject, members, memberKey, memberValue, lazyAttrs, K_MESSAGE, K_TIMESTAMP, K_LEVEL } from '../../src/ingest/json-scan.js';
import { PLAIN_ATTRS } from '../../src/model.js';
import { railwayJson } from '../../src/ingest/formats/railway-json.js';
import { runFormat } from './run-format.js';

/** The object the scanner saw, rebuilt member by member. */
function rebuilt(line: string): Record<string, unknown> | null {
  if (!scanObject(line)) return null;
  const o: Record<string, unknown> = {};
  for (let k = 0; k < members.n; k++) o[memberKey(line, k)] = memberValue(line, k);
  return o;
}

const SHAPES = [
  '{"message":"plain","timestamp":"2026-02-07T19:12:02.412345678Z","level":"info"}',
  '{ "message" : "spaces around" , "level" : "warn" }',
  '{"message":"quote \\" and backslash \\\\ and \\n newline","n":-1.5e3,"ok":true,"nothing":null}',
  '{"message":"nested","ctx":{"a":[1,2,{"b":"}"}],"c":"]"},"tags":["x","y"]}',
  '{"message":"unicode \\u00e9 é 😀","level":"error","deploymentId":"4f1c2d3e"}',
  '{"level":30,"time":1770491522412,"msg":"pino"}',
  '{"message":"dup","message":"last wins"}',
  '{}',
];

describe('scanObject', () => {
  it.each(SHAPES)('sees the same members as JSON.parse: %s', (line) => {
    expect(rebuilt(line)).toEqual(JSON.parse(line));
  });

  it('finds the well-known keys wherever they are', () => {
    const line = '{"deploymentId":"d","level":"error","timestamp":"2026-02-07T19:00:00Z","message":"m"}';
    expect(scanObject(line)).toBe(true);
    expect([members.known[K_MESSAGE], members.known[K_TIMESTAMP], members.known[K_LEVEL]]).toEqual([3, 2, 1]);
  });

  it.each(['', 'not json', '[1,2]', '{"a":1', '{"a":1}}', '{"a":1,}', '{"a" 1}', '{"a":tru}', '{"a":"open}', '{"k\\"ey":1}'])('declines %s (left to JSON.parse)', (line) => {
    expect(scanObject(line)).toBe(false);
  });
});

describe('lazyAttrs', () => {
  it('behaves as the parsed object for reads, keys, `in` and JSON', () => {
    const line = '{"message":"m","deploymentId":"dep-1","n":2,"nested":{"x":[1]}}';
    const a = lazyAttrs(line);
    expect(a.deploymentId).toBe('dep-1');
    expect('n' in a).toBe(true);
    expect('missing' in a).toBe(false);
    expect(Object.keys(a)).toEqual(['message', 'deploymentId', 'n', 'nested']);
    expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(line));
    expect({ ...a }).toEqual(JSON.parse(line));
    // The plain object behind the view, for copying without its traps.
    const plain = (a as { [PLAIN_ATTRS]?: unknown })[PLAIN_ATTRS];
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(plain).toEqual(JSON.parse(line));
  });

  it('is read-only', () => {
    const a = lazyAttrs('{"x":1}');
    expect(() => {
      'use strict';
      (a as Record<string, unknown>).x = 2;
    }).toThrow();
    expect(a.x).toBe(1);
  });
});

describe('railway-json fast path and JSON.parse path agree', () => {
  it('gives the same events whether or not the scanner takes the line', () => {
    const fast = [
      '{"message":"WARNING: disk at 91%","timestamp":"2026-02-07T19:12:02.412345678Z","level":"error","deploymentId":"d1"}',
      '{"msg":"pino line","level":50,"time":1770491522412,"service":"worker"}',
      '{"message":null,"msg":"fallback","severity":"warning","ts":"2026-02-07T19:12:02Z"}',
      '{"message":{"event":"obj"},"timestamp":"2026-02-07T19:12:02Z"}',
      '{"message":"esc \\"q\\"","timestamp":"2026-02-07T19:12:02.5+01:00","level":"debug","serviceName":"cron"}',
    ];
    // The same lines with a key holding an escape, which the scanner declines: JSON.parse path.
    const slow = fast.map((l) => l.replace('{', '{"k\\u0041":1,'));
    for (const l of slow) expect(scanObject(l)).toBe(false);
    const r1 = runFormat(railwayJson, fast);
    const r2 = runFormat(railwayJson, slow);
    const strip = (evs: typeof r1.events) => evs.map((e) => ({ ...e, attrs: Object.fromEntries(Object.entries(e.attrs ?? {}).filter(([k]) => k !== 'kA')) }));
    expect(strip(r1.events)).toEqual(strip(r2.events));
    expect(r1.events.map((e) => [e.message, e.level, e.service, e.ts])).toEqual([
      ['WARNING: disk at 91%', 'warn', 'svc', Date.UTC(2026, 1, 7, 19, 12, 2, 412)],
      ['pino line', 'error', 'worker', 1770491522412],
      ['fallback', 'warn', 'svc', Date.UTC(2026, 1, 7, 19, 12, 2)],
      ['{"event":"obj"}', 'info', 'svc', Date.UTC(2026, 1, 7, 19, 12, 2)],
      ['esc "q"', 'debug', 'cron', Date.UTC(2026, 1, 7, 18, 12, 2, 500)],
    ]);
  });
});

describe('lazyAttrs reads like the parsed object', () => {
  it('answers present and absent keys like the parsed object does, with and without escapes', () => {
    const lines = [
      '{"message":"m","level":"info","httpStatus":504}',
      '{"message":"say \\"hi\\"","st\\u0061tus":500}',
      '{"message":"status in text: \\"status\\"","x":1}',
      '{"message":"plain","deploymentId":"d1","requestId":"r-1","timestamp":"2026-01-01T00:00:00Z"}',
      '{}',
      '{"":0,"a":1,"ab":2,"message":"short keys"}',
    ];
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      for (const key of ['httpStatus', 'status', 'statusCode', 'x', 'a', 'ab', 'b', 'deploymentId', 'requestId', 'request_id', 'missing', 'message', '']) {
        expect(lazyAttrs(line)[key], `${line} ${key}`).toEqual(parsed[key]);
        expect(key in lazyAttrs(line), `${line} in ${key}`).toBe(key in parsed);
      }
      expect(typeof lazyAttrs(line).toString).toBe('function');
    }
  });

  it('unescapes string values as JSON.parse does, quotes-only escapes included', () => {
    let seed = 11;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const pieces = ['"', '\\', '\\"', '"\\', '\n', '\t', 'é', '😀', 'GET /x HTTP/1.1', ' ', 'a', '\u0001', '/'];
    for (let round = 0; round < 2000; round++) {
      const value = Array.from({ length: rnd(8) }, () => pieces[rnd(pieces.length)]).join('');
      const line = JSON.stringify({ message: value, level: 'error', other: value });
      expect(rebuilt(line), line).toEqual(JSON.parse(line));
    }
  });

  it('answers like the parsed object for random keys', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-0123456789';
    const key = () => Array.from({ length: rnd(14) }, () => alphabet[rnd(alphabet.length)]).join('');
    for (let round = 0; round < 300; round++) {
      const obj: Record<string, unknown> = { message: 'm' };
      for (let k = rnd(12); k > 0; k--) obj[key()] = rnd(2) === 0 ? rnd(100) : key();
      const line = JSON.stringify(obj);
      expect(scanObject(line)).toBe(true);
      for (const k of [...Object.keys(obj), key(), key()]) expect(lazyAttrs(line)[k], `${line} ${k}`).toEqual(obj[k]);
    }
  });
});
