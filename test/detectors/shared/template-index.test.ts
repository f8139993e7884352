import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/model.js';
import { Timeline, type TimelineEvent, type TimelineSummary } from '../../../src/timeline/timeline.js';
import { candidateEvents, eventsOfTemplates, templateMayMatch, templatePositions } from '../../../src/detectors/shared/template-index.js';
import { buildTimeline, type TestEvent } from '../../helpers/timeline.js';
import { OVERFLOW_TEXT } from '../../../src/templates/miner.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');

/** `n` events of a message shape, one every `stepMs`, starting at `from` ms after T0. */
function series(n: number, from: number, stepMs: number, make: (i: number) => Omit<TestEvent, 'at'>): TestEvent[] {
  return Array.from({ length: n }, (_, i) => ({ ...make(i), at: T0 + from + i * stepMs }));
}

function byTime(...lists: TestEvent[][]): TestEvent[] {
  return lists.flat().sort((a, b) => (a.at as number) - (b.at as number));
}

/** What a detector testing every event would select. */
function bruteForce(t: TimelineSummary, test: (m: string) => boolean): TimelineEvent[] {
  return t.events.filter((e) => test(e.message));
}

describe('template-index', () => {
  // Uniform templates (one message for all their events) are judged once; the others are offered whole.
  const resets = series(400, 0, 1000, (i) => ({ message: `could not receive data from client: Connection reset by peer`, level: 'error', source: 'postgres', service: 'db', pg: { severity: 'LOG', pid: 100 + i } }));
  const workers = series(900, 500, 700, (i) => ({ message: `worker ${i % 7} picked job ${1000 + i} from queue "mail"`, level: 'error', service: 'api' }));
  const rare = series(5, 2000, 60_000, (i) => ({ message: `relation "orders_${i}" does not exist`, level: 'error', service: 'api' }));
  const quiet = series(300, 100, 900, () => ({ message: 'Materialization loop error:', level: 'error', service: 'api' }));

  it('selects the same events as a test of every event, in timeline order', () => {
    const t = buildTimeline(byTime(resets, workers, rare, quiet));
    const re = /could not receive data from client|relation "[^"]+" does not exist/;
    const test = (m: string) => re.test(m);
    const got = candidateEvents(t, test).filter((e) => test(e.message));
    expect(got).toEqual(bruteForce(t, test));
    expect(got.length).toBe(405);
    // The uniform template whose one message fails the test is skipped whole.
    expect(candidateEvents(t, test).some((e) => e.message.startsWith('Materialization'))).toBe(false);
  });

  it('finds a signal that only one message of a big varied template carries in its variable part', () => {
    const names = ['ValueError', 'KeyError', 'TypeError', 'RuntimeError', 'IndexError'];
    const tasks = series(2000, 0, 60_000, (i) => ({ message: `Task ${i} failed: ${i === 1000 ? 'TimeoutError' : names[i % 5]}`, level: 'error', service: 'worker' }));
    const t = buildTimeline(tasks);
    expect(t.templates.filter((x) => x.count > 0)).toHaveLength(1);
    const test = (m: string) => /TimeoutError/.test(m);
    expect(candidateEvents(t, test).filter((e) => test(e.message))).toEqual(bruteForce(t, test));
    expect(bruteForce(t, test)).toHaveLength(1);
    const access = series(600, 0, 1000, (i) => ({ message: `10.0.0.${i % 200}:${40000 + i} - "GET /api/tasks/${i} HTTP/1.1" ${i === 555 ? 504 : 200 + (i % 3)}`, level: 'error', service: 'web' }));
    const t2 = buildTimeline(access);
    const is504 = (m: string) => /"\s504$/.test(m);
    expect(candidateEvents(t2, is504).filter((e) => is504(e.message))).toEqual(bruteForce(t2, is504));
  });

  it('offers the events of a uniform template that carry one of the attribute keys, wherever they are', () => {
    const structured = series(300, 0, 1000, (i) => ({ message: 'request completed', level: 'error', service: 'api', attrs: i === 223 ? { status: 504, route: '/x' } : { route: '/x' } }));
    const t = buildTimeline(structured);
    const hasStatus504 = (e: TimelineEvent) => e.attrs?.status === 504;
    expect(candidateEvents(t, () => false, ['status']).filter(hasStatus504)).toHaveLength(1);
    expect(candidateEvents(t, () => false, ['status'])).toHaveLength(1);
    expect(candidateEvents(t, () => false, ['statusCode'])).toHaveLength(0);
  });

  it('groups positions per template and picks templates by id', () => {
    const t = buildTimeline(byTime(resets, workers, rare));
    const all = templatePositions(t).reduce((n, x) => n + x.positions.length, 0);
    expect(all).toBe(t.events.length);
    const resetId = t.events.find((e) => e.message.startsWith('could not'))!.template;
    const picked = eventsOfTemplates(t, (id) => id === resetId);
    expect(picked).toHaveLength(400);
    expect(picked.every((e) => e.template === resetId)).toBe(true);
    expect(templateMayMatch(t, resetId, (m) => m.includes('Connection reset'))).toBe(true);
    expect(templateMayMatch(t, resetId, (m) => m.includes('TimeoutError'))).toBe(false);
    // A template whose messages differ may always match: its variables could hold anything.
    const workerId = t.events.find((e) => e.message.startsWith('worker'))!.template;
    expect(templateMayMatch(t, workerId, (m) => m.includes('Connection reset'))).toBe(true);
  });

  it('tests every message of the overflow template (messages beyond the template cap)', () => {
    const tl = new Timeline({ maxTemplates: 2 });
    const input = tl.registerInput('x.log');
    let line = 0;
    const add = (message: string, i: number) => {
      const ev: LogEvent = { ts: T0 + i * 1000, service: 'api', source: 'app', level: 'error', levelText: 'error', message, input, line: ++line };
      tl.event(ev);
    };
    for (let i = 0; i < 300; i++) add(`alpha step ${i} done`, i);
    for (let i = 0; i < 300; i++) add(`beta ${i} ok`, 300 + i);
    for (let i = 0; i < 300; i++) add(i === 299 ? 'gamma: canceling statement due to statement timeout' : `gamma other ${i} thing here`, 600 + i);
    for (let i = 0; i < 300; i++) add(`delta x${i} y`, 900 + i);
    const t = tl.finish();
    const re = /canceling statement due to statement timeout/;
    const test = (m: string) => re.test(m);
    const hit = bruteForce(t, test);
    expect(hit).toHaveLength(1);
    expect(t.templates.find((x) => x.id === hit[0]!.template)!.text).toBe(OVERFLOW_TEXT);
    expect(candidateEvents(t, test).filter((e) => test(e.message))).toEqual(hit);
  });

  it('tests every event when the ids are not the timeline\'s', () => {
    const t = buildTimeline(rare);
    const odd: TimelineSummary = { ...t, events: t.events.map((e) => ({ ...e, template: -1 })) };
    expect(candidateEvents(odd, () => false)).toHaveLength(0);
    expect(candidateEvents(odd, () => true)).toHaveLength(odd.events.length);
    const first = odd.events[0]!.message;
    expect(candidateEvents(odd, (m) => m === first)).toEqual(odd.events.filter((e) => e.message === first));
    expect(eventsOfTemplates(odd, () => false)).toHaveLength(odd.events.length);
  });
});
