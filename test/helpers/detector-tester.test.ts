// DetectorTester's checks fail where they should: each broken promise of a finding is named, a
// detector that throws or answers differently twice fails the case.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../src/model.js';
import { sslEof } from '../../src/detectors/ssl-eof.js';
import { checkedFindings, invariantProblems } from './detector-tester.js';
import { buildTimeline } from './timeline.js';

const t = buildTimeline([{ at: '2026-12-07T20:54:02Z', message: 'could not accept SSL connection: EOF detected' }, { at: '2026-12-07T20:54:03Z', message: 'ready' }]);
const finding = (over: Partial<Finding>): Finding => ({
  detector: 'ssl-eof', id: 'ssl-eof:app', severity: 'low', title: 't', summary: 's', pattern: 'p', rootCause: 'r', impact: 'i', recommendation: 'r',
  evidence: [{ timestamp: null, service: 'app', location: 'test.log:1', text: 'x' }], data: { count: 1 }, ...over,
});

describe('invariantProblems', () => {
  it('passes a finding that keeps the contract', () => {
    expect(invariantProblems('ssl-eof', t, [finding({}), finding({ id: 'ssl-eof:db', data: { nested: [{ a: null, b: 'x', c: true }] } })])).toEqual([]);
  });
  it('names a foreign detector, an unprefixed or repeated id, an unknown severity', () => {
    expect(invariantProblems('ssl-eof', t, [finding({ detector: 'log-loss' }), finding({ id: 'ssl-eofx' }), finding({ id: 'ssl-eofx', severity: 'urgent' as Finding['severity'] })])).toEqual([
      'ssl-eof:app: detector is "log-loss"',
      'ssl-eofx: id not prefixed with "ssl-eof:"',
      'ssl-eofx: id not prefixed with "ssl-eof:"',
      'ssl-eofx: id given twice',
      'ssl-eofx: severity "urgent"',
    ]);
  });
  it('names evidence that points nowhere: another input, a line past the end, line 0, a metric series the timeline lacks', () => {
    const at = (location: string) => ({ timestamp: null, service: 'app', location, text: 'x' });
    expect(invariantProblems('ssl-eof', t, [finding({ evidence: [at('test.log:2'), at('other.log:1'), at('test.log:3'), at('test.log:0'), at('input0:1'), at('metrics:app/memory')] })])).toEqual([
      'ssl-eof:app: evidence other.log:1: no such input',
      'ssl-eof:app: evidence test.log:3: line outside 1..2',
      'ssl-eof:app: evidence test.log:0: line outside 1..2',
      'ssl-eof:app: evidence input0:1: no such input',
      'ssl-eof:app: evidence metrics:app/memory: no such metric series',
    ]);
  });
  it('names data JSON would change: undefined, NaN, infinities, functions, dates, maps', () => {
    const data = { a: undefined, b: [1, Number.NaN], c: { d: Infinity }, e: () => 1, f: new Date(0), g: new Map() };
    expect(invariantProblems('ssl-eof', t, [finding({ data })])).toEqual([
      'ssl-eof:app: data.a is undefined',
      'ssl-eof:app: data.b[1] is NaN',
      'ssl-eof:app: data.c.d is Infinity',
      'ssl-eof:app: data.e is a function',
      'ssl-eof:app: data.f is a Date',
      'ssl-eof:app: data.g is a Map',
    ]);
  });
});

describe('checkedFindings', () => {
  afterEach(() => vi.restoreAllMocks());
  it('fails when the detector throws (the runner records it)', () => {
    vi.spyOn(sslEof, 'detect').mockImplementation(() => {
      throw new Error('boom');
    });
    expect(() => checkedFindings('ssl-eof', t)).toThrow(/ssl-eof threw/);
  });
  it('fails when two runs differ (a detector with state kept between runs)', () => {
    const detect = sslEof.detect.bind(sslEof);
    let runs = 0;
    vi.spyOn(sslEof, 'detect').mockImplementation((tl, o) => detect(tl, o).map((f) => ({ ...f, data: { ...f.data, count: f.data.count + runs++ } })));
    expect(() => checkedFindings('ssl-eof', t, { minCount: 1 })).toThrow(/a second run/);
  });
  it('fails on an id that is not registered', () => {
    expect(() => checkedFindings('no-such-detector', t)).toThrow(/not a registered detector/);
  });
});
