import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { LogEvent } from '../../src/model.js';
import { Timeline } from '../../src/timeline/timeline.js';
import { EventCompactor, MAX_ATTRS, MAX_ATTR_CHARS, MAX_MESSAGE_CHARS } from '../../src/timeline/compact-event.js';
import { CUT_MARKER } from '../../src/own-string.js';
import { lazyAttrs } from '../../src/ingest/json-scan.js';
import { PostgresStats } from '../../src/timeline/postgres-stats.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function ev(message: string, over: Partial<LogEvent> = {}): LogEvent {
  return { ts: 1_700_000_000_000, service: 'api', source: 'app', level: 'error', levelText: 'error', stream: 'error', message, input: 0, line: 1, ...over };
}

describe('kept events are compact copies', () => {
  it('materializes lazy attributes into a plain object of scalars, without what the event already holds', () => {
    const line = JSON.stringify({
      message: 'payment failed for order 7',
      timestamp: '2026-02-07T19:12:02.412345678Z',
      level: 'error',
      deploymentId: '4f1c0000-1111-2222-3333-444455556666',
      status_code: 502,
      ok: false,
      error: { message: '', type: 'Timeout', stack: { frames: [1, 2] } },
      tags: ['a', 'b'],
      note: 'x'.repeat(5000),
    });
    const c = new EventCompactor().event(ev('payment failed for order 7', { attrs: lazyAttrs(line) }), 4);
    const a = c.value.attrs!;
    expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
    expect(a.deploymentId).toBe('4f1c0000-1111-2222-3333-444455556666');
    expect(a.status_code).toBe(502);
    expect(a.ok).toBe(false);
    expect(a.level).toBe('error');
    // The line's own time and message are the event's ts and message.
    expect('timestamp' in a).toBe(false);
    expect('message' in a).toBe(false);
    // One level of nesting stays an object (detectors read error.message, tags.deploymentId).
    expect(a.error).toEqual({ message: '', type: 'Timeout', stack: '{"frames":[1,2]}' });
    expect(a.tags).toBe('["a","b"]');
    expect((a.note as string).length).toBe(MAX_ATTR_CHARS + CUT_MARKER.length);
    expect((a.note as string).endsWith(CUT_MARKER)).toBe(true);
    expect(c.value.template).toBe(4);
    expect(c.bytes).toBeGreaterThan(MAX_ATTR_CHARS);
    // The lazy view is copied from the plain object behind it: the same copy as from that object.
    const plain = new EventCompactor().event(ev('payment failed for order 7', { attrs: JSON.parse(line) as Record<string, unknown> }), 4);
    expect(plain.value).toEqual(c.value);
    expect(plain.bytes).toBe(c.bytes);
  });

  it('keeps a message that differs from the attribute (a PostgreSQL line inside a Railway line keeps its prefix only in attrs when it is more than a prefix)', () => {
    const c = new EventCompactor().event(ev('duration: 5 ms', { attrs: { message: '2026-02-01 00:00:00.298 UTC [3678] LOG:  duration: 5 ms', other: 'raw text that differs' } }), 0);
    expect(c.value.attrs).toEqual({ other: 'raw text that differs' });
    const d = new EventCompactor().event(ev('short', { attrs: { message: 'not the same message at all' } }), 0);
    expect(d.value.attrs).toEqual({ message: 'not the same message at all' });
  });

  it('keeps at most MAX_ATTRS attributes and counts the rest under the marker', () => {
    const attrs: Record<string, unknown> = {};
    for (let i = 0; i < MAX_ATTRS + 12; i++) attrs[`field${i}`] = i;
    const a = new EventCompactor().event(ev('many fields', { attrs }), 0).value.attrs!;
    expect(Object.keys(a)).toHaveLength(MAX_ATTRS + 1);
    expect(a.field0).toBe(0);
    expect(a[`field${MAX_ATTRS - 1}`]).toBe(MAX_ATTRS - 1);
    expect(a[CUT_MARKER]).toBe(12);
  });

  it('cuts long messages with a marker and copies PostgreSQL fields', () => {
    const long = 'Traceback (most recent call last):\n' + '  File "x.py", line 1\n'.repeat(1000);
    const c = new EventCompactor().event(ev(long, { source: 'postgres', pg: { pid: 42, severity: 'ERROR', statement: 'SELECT 1 FROM t WHERE id = 1', detail: 'd'.repeat(3000) } }), 0);
    expect(c.value.message.length).toBe(MAX_MESSAGE_CHARS + CUT_MARKER.length);
    expect(c.value.message.startsWith('Traceback (most recent call last):')).toBe(true);
    expect(c.value.pg).toMatchObject({ pid: 42, severity: 'ERROR', statement: 'SELECT 1 FROM t WHERE id = 1' });
    expect(c.value.pg!.detail!.endsWith(CUT_MARKER)).toBe(true);
  });

  it('does not keep the raw lines alive (heap per kept event well under the line size)', () => {
    const n = 2000;
    const pad = 'p'.repeat(32_000);
    const before = heapAfterGc();
    const t = new Timeline({ interests: [] });
    for (let i = 0; i < n; i++) {
      // The message and the attributes are slices of a large line, as ingest hands them over.
      const line = `{"message":"worker ${i % 7} failed job ${i} on queue emails with an error","level":"error","deploymentId":"a08ff49b-6f77-4263-a271-6c43069c43a8","pad":"${pad}${i}"}`;
      const msg = line.slice(12, line.indexOf('","level"'));
      t.event(ev(msg, { attrs: lazyAttrs(line), line: i + 1 }));
    }
    const s = t.finish();
    const perEvent = (heapAfterGc() - before) / n;
    expect(s.events.length).toBe(n);
    // Each line is over 32 KB; a compact event is its message, a few ids and the pad cut at
    // MAX_ATTR_CHARS (the miner's cache of recent messages adds a little more).
    expect(perEvent).toBeLessThan(4000);
    expect(s.events[0]!.attrs!.pad).toMatch(/…\[cut\]$/);
  });
});

describe('the kept-event budget', () => {
  it('bounds kept bytes, caps one noisy template at its share, and keeps every rare event', () => {
    const maxEventBytes = 1 << 20;
    const t = new Timeline({ maxEventBytes, templateShare: 0.25, eventsPerTemplateFloor: 50, interests: [] });
    const rareServices = 40;
    let rareSent = 0;
    let noisySent = 0;
    for (let i = 0; i < 60_000; i++) {
      t.event(ev(`GET /api/items/${i} -> 500 upstream reset after ${i % 900} ms`, { ts: 1_700_000_000_000 + i * 10, line: i + 1 }));
      noisySent++;
      if (i % 1500 === 7) {
        // Each rare template is its own service, with a few events spread over the run.
        const k = (i / 1500) | 0;
        t.event(ev(`disk quota exceeded on volume ${k}`, { service: `svc${k % rareServices}`, ts: 1_700_000_000_000 + i * 10, line: 100_000 + i }));
        rareSent++;
      }
    }
    const s = t.finish();
    const noisy = s.templates.filter((x) => x.service === 'api');
    const rare = s.templates.filter((x) => x.service.startsWith('svc'));
    expect(noisy).toHaveLength(1);
    expect(rare.length).toBe(rareServices);
    // Every rare event is kept; the noisy one stops at its share plus its floor.
    expect(s.events.filter((e) => e.service.startsWith('svc'))).toHaveLength(rareSent);
    const noisyKept = s.events.filter((e) => e.service === 'api').length;
    expect(noisyKept).toBeGreaterThan(50);
    expect(noisyKept).toBeLessThan(noisySent / 5);
    // Thinned evenly, not cut off: its kept events reach the end of the input.
    expect(noisy[0]!.keptEvery).toBeGreaterThan(4);
    const noisyLines = s.events.filter((e) => e.service === 'api').map((e) => e.line);
    expect(Math.max(...noisyLines)).toBeGreaterThan(noisySent * 0.7);
    expect(Math.min(...noisyLines)).toBeLessThan(noisySent * 0.3);
    expect(rare.every((x) => x.keptEvery === 1)).toBe(true);
    // The estimate stays under the budget.
    expect(s.eventsBytes).toBeLessThanOrEqual(maxEventBytes);
    // Honest accounting: kept + dropped = qualifying, overall and per template.
    expect(s.events.length + s.eventsDropped).toBe(noisySent + rareSent);
    expect(noisy[0]!.eventsDropped).toBe(noisySent - noisyKept);
    expect(rare.every((x) => x.eventsDropped === 0)).toBe(true);
    expect(s.templates.reduce((a, x) => a + x.eventsDropped, 0)).toBe(s.eventsDropped);
  });

  it('shares the budget between several noisy templates and still counts events beyond it', () => {
    const maxEventBytes = 512 * 1024;
    const t = new Timeline({ maxEventBytes, templateShare: 0.5, eventsPerTemplateFloor: 10, interests: [] });
    const services = ['web', 'worker', 'cron', 'mailer'];
    for (let i = 0; i < 40_000; i++) t.event(ev(`request ${i} failed with status 503 after retry ${i % 5}`, { service: services[i % 4]!, line: i + 1 }));
    const s = t.finish();
    expect(s.totals.records).toBe(40_000);
    expect(s.events.length + s.eventsDropped).toBe(40_000);
    expect(s.eventsBytes).toBeLessThanOrEqual(maxEventBytes);
    // No service is crowded out: the first two cannot take the whole budget at a 50% share.
    for (const svc of services) expect(s.events.some((e) => e.service === svc)).toBe(true);
    // Kept events stay sorted by time then line.
    for (let i = 1; i < s.events.length; i++) expect(s.events[i - 1]!.line).toBeLessThan(s.events[i]!.line);
  });

  it('keeps the count cap as a hard ceiling, thinning evenly over the input', () => {
    const t = new Timeline({ maxEvents: 100, eventsPerTemplateFloor: 10, interests: [] });
    for (let i = 0; i < 1000; i++) t.event(ev(`boom ${i}`, { line: i + 1, ts: 1_700_000_000_000 + i * 1000 }));
    const s = t.finish();
    expect(s.events.length).toBeLessThanOrEqual(100);
    expect(s.events.length).toBeGreaterThanOrEqual(50);
    expect(s.events.length + s.eventsDropped).toBe(1000);
    const every = s.templates[0]!.keptEvery;
    expect(every).toBe(16);
    // Every 16th event, from the first to the end of the input: no cut-off point.
    expect(s.events.map((e) => e.line)).toEqual(Array.from({ length: Math.ceil(1000 / every) }, (_, k) => k * every + 1));
  });
});

describe('timestamps per template', () => {
  it('thins the busiest templates evenly over the input when over the total, and a template that appears late keeps all its times', () => {
    const t = new Timeline({ maxTimesTotal: 10_000, maxTimesPerTemplate: 8000, timesPerTemplateFloor: 64, interests: [] });
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 30_000; i++) t.event(ev(`tick ${i}`, { level: 'info', service: i % 2 ? 'a' : 'b', ts: t0 + i }));
    for (let i = 0; i < 100; i++) t.event(ev(`late job ran`, { level: 'info', service: 'late', ts: t0 + 100_000 + i * 1000 }));
    const s = t.finish();
    const total = s.templates.reduce((a, x) => a + x.times.length, 0);
    expect(total).toBeLessThanOrEqual(10_000);
    const late = s.templates.find((x) => x.service === 'late')!;
    expect(late.count).toBe(100);
    expect(late.times.length).toBe(100);
    expect(late.timesEvery).toBe(1);
    for (const x of s.templates) expect(x.times.length + x.timesDropped).toBe(x.count);
    for (const service of ['a', 'b']) {
      const busy = s.templates.find((x) => x.service === service)!;
      expect(busy.timesEvery).toBeGreaterThan(1);
      // Every timesEvery-th record of the template, from the first to the last: no cut-off point.
      const own = Array.from({ length: 15_000 }, (_, k) => t0 + 2 * k + (service === 'a' ? 1 : 0));
      expect(Array.from(busy.times)).toEqual(own.filter((_, k) => k % busy.timesEvery === 0));
      expect(busy.times[busy.times.length - 1]).toBeGreaterThan(t0 + 29_000);
    }
  });

  it('thins a template over its own cap, and keeps every time of templates within the floor when only those are left', () => {
    const t = new Timeline({ maxTimesTotal: 300, maxTimesPerTemplate: 1000, timesPerTemplateFloor: 100, interests: [] });
    for (let i = 0; i < 5000; i++) t.event(ev('heartbeat', { level: 'info', service: 's0', ts: 1_700_000_000_000 + i * 1000 }));
    for (let k = 1; k <= 4; k++) for (let i = 0; i < 90; i++) t.event(ev('job ran', { level: 'info', service: `s${k}`, ts: 1_700_000_000_000 + i * 60_000 }));
    const s = t.finish();
    const hb = s.templates.find((x) => x.service === 's0')!;
    expect(hb.times.length).toBeLessThanOrEqual(100);
    expect(hb.times[0]).toBe(1_700_000_000_000);
    for (let k = 1; k <= 4; k++) {
      const job = s.templates.find((x) => x.service === `s${k}`)!;
      expect(job.times.length + job.timesDropped).toBe(90);
    }
    // Within their floor, the rare templates keep their times until the total is spent by them alone.
    const rare = s.templates.filter((x) => x.service !== 's0');
    expect(rare.slice(0, 2).every((x) => x.timesEvery === 1 && x.times.length === 90)).toBe(true);
    expect(s.templates.reduce((a, x) => a + x.times.length, 0)).toBeLessThanOrEqual(300 + 100);
  });

  it('gives back the room of thinned times: capacity stays within twice what is kept', () => {
    const t = new Timeline({ maxTimesTotal: 20_000, maxTimesPerTemplate: 8000, timesPerTemplateFloor: 64, interests: [] });
    const t0 = 1_700_000_000_000;
    // Ten busy templates taking turns at being the largest, thinned again and again by the total.
    for (let i = 0; i < 200_000; i++) t.event(ev(`tick ${i}`, { level: 'info', service: `s${(i * 7919) % 10}`, ts: t0 + i }));
    const stats = (t as unknown as { stats: ({ times: Float64Array; nTimes: number } | undefined)[] }).stats.filter((x) => x !== undefined);
    const kept = stats.reduce((a, x) => a + x!.nTimes, 0);
    const capacity = stats.reduce((a, x) => a + x!.times.length, 0);
    expect(kept).toBeLessThanOrEqual(20_000);
    expect(kept).toBeGreaterThan(10_000);
    // Each array within twice its times (growth doubles), not stuck at the size it once reached.
    for (const x of stats) expect(x!.times.length).toBeLessThanOrEqual(2 * x!.nTimes + 16);
    expect(capacity).toBeLessThanOrEqual(2 * kept + 16 * stats.length);
  });
});

describe('PostgreSQL session peak in a sorting window', () => {
  it('matches the exact sweep over many sessions arriving slightly out of order', () => {
    const p = new PostgresStats();
    const changes: { ts: number; line: number; delta: number; pid: number }[] = [];
    let line = 0;
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed / 0x7fffffff);
    // 30,000 sessions of varying length with up to 40 open at once.
    for (let i = 0; i < 30_000; i++) {
      const start = i * 100 + Math.floor(rnd() * 50);
      const len = 200 + Math.floor(rnd() * 3800);
      changes.push({ ts: start, line: ++line, delta: 1, pid: i });
      changes.push({ ts: start + len, line: ++line, delta: -1, pid: i });
    }
    // Arrival: sorted by time, then shuffled locally (a held record arrives a few records late).
    const arrival = [...changes].sort((a, b) => a.ts - b.ts);
    for (let i = 0; i + 3 < arrival.length; i += 4) [arrival[i], arrival[i + 3]] = [arrival[i + 3]!, arrival[i]!];
    for (const c of arrival) {
      p.add({
        ts: c.ts,
        service: 'db',
        source: 'postgres',
        level: 'info',
        levelText: 'LOG',
        message: c.delta > 0 ? 'connection authorized: user=app database=app' : 'disconnection: session time: 0:00:01.000 user=app database=app host=10.0.0.1 port=5432',
        pg: { pid: c.pid, severity: 'LOG' },
        input: 0,
        line: c.line,
      });
    }
    const exact = [...changes].sort((a, b) => a.ts - b.ts || a.line - b.line);
    const open = new Set<number>();
    let best = 0;
    let at = 0;
    for (const c of exact) {
      if (c.delta > 0) open.add(c.pid);
      else open.delete(c.pid);
      if (open.size > best) {
        best = open.size;
        at = c.ts;
      }
    }
    const s = p.summary();
    expect(s.connections).toBe(30_000);
    expect(s.sessions).toBe(30_000);
    expect(s.peakSessions).toEqual({ count: best, ts: at, approximate: false });
    expect(best).toBeGreaterThan(10);
  });
});

describe('per-minute level histogram', () => {
  it('counts by minute and level across thousands of minutes arriving out of order', () => {
    const t = new Timeline({ interests: [] });
    const t0 = Date.UTC(2026, 1, 1);
    const minutes = 3000;
    // Backwards in time, two infos and, every tenth minute, one error.
    for (let m = minutes - 1; m >= 0; m--) {
      t.event(ev('tick', { level: 'info', ts: t0 + m * 60_000 + 5 }));
      t.event(ev('tick', { level: 'info', ts: t0 + m * 60_000 + 59_999 }));
      if (m % 10 === 0) t.event(ev('boom', { level: 'error', ts: t0 + m * 60_000 + 30_000 }));
    }
    const h = t.finish().histogram;
    expect(h.start).toBe(t0);
    expect(h.counts.info).toHaveLength(minutes);
    expect(h.counts.info.every((c) => c === 2)).toBe(true);
    expect(h.counts.error.reduce((a, c) => a + c, 0)).toBe(minutes / 10);
    expect(h.counts.error[10]).toBe(1);
    expect(h.counts.error[11]).toBe(0);
  });

  it('widens its buckets over a long span instead of allocating one per minute', () => {
    // Two weeks of lines every ten seconds: more minutes than buckets.
    const near = Date.UTC(2026, 1, 7);
    const far = near + 13 * 86_400_000;
    const t = new Timeline({ interests: [] });
    t.event(ev('odd clock', { level: 'warn', ts: far }));
    for (let i = 0; i < 8640; i++) t.event(ev('tick', { level: i % 100 === 0 ? 'error' : 'info', ts: near + i * 10_000 }));
    const s = t.finish();
    const h = s.histogram;
    expect(s.totals.timeOutliers).toBe(0);
    expect(h.counts.info.length).toBeLessThanOrEqual(16_384);
    expect(h.bucketMs).toBe(120_000);
    // Every record is still counted, in the bucket that holds its time.
    expect(h.counts.info.reduce((a, c) => a + c, 0)).toBe(8640 - 87);
    expect(h.counts.error.reduce((a, c) => a + c, 0)).toBe(87);
    expect(h.counts.warn[Math.floor((far - h.start!) / h.bucketMs)]).toBe(1);
    expect(h.start! + h.counts.info.length * h.bucketMs).toBeGreaterThan(far);
  });

  it("leaves a record dated far away out of the histogram, made again at the bulk's resolution (issue 19)", () => {
    for (const [far, near] of [[0, Date.UTC(2026, 1, 7)], [Date.UTC(2099, 0, 1), Date.UTC(1900, 0, 1)]] as const) {
      const t = new Timeline({ interests: [] });
      // A line dated far away among a day of lines every ten seconds: its span once widened the buckets to days.
      t.event(ev('odd clock', { level: 'warn', ts: far }));
      for (let i = 0; i < 8640; i++) t.event(ev('tick', { level: i % 100 === 0 ? 'error' : 'info', ts: near + i * 10_000 }));
      const s = t.finish();
      const h = s.histogram;
      expect(s.totals.timeOutliers).toBe(1);
      expect(s.totals.records).toBe(8641);
      expect(s.window).toEqual({ start: near, end: near + 8639 * 10_000 });
      expect(h.bucketMs).toBe(60_000);
      expect(h.start).toBe(near);
      expect(h.counts.info).toHaveLength(1440);
      expect(h.counts.info.reduce((a, c) => a + c, 0)).toBe(8640 - 87);
      expect(h.counts.error.reduce((a, c) => a + c, 0)).toBe(87);
      expect(h.counts.warn.reduce((a, c) => a + c, 0)).toBe(0);
      expect(s.templates.find((tp) => tp.text === 'odd clock')).toMatchObject({ count: 1, first: null, last: null });
    }
  });

});
