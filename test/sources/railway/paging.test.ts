// Paging backwards without a cursor (src/sources/railway/paging.ts), on an in-memory log that
// answers as Railway does: the newest `limit` entries at or before the date asked, sometimes one
// more; or strictly before it (the guide does not say which: both readings must give the same).
import { describe, expect, it } from 'vitest';
import { keyBefore, keyOfMs, msOfKey, readPage, splitBy, timeKey, type PageCursor, type Split, type Stall } from '../../../src/sources/railway/paging.js';

interface E {
  timestamp: string;
  message: string;
  deployment?: string;
  level?: string;
}

interface Reading {
  plusOne?: boolean;
  since?: string;
  /** beforeDate read strictly before the date. */
  exclusive?: boolean;
  /** beforeDate read only to the millisecond (as a JavaScript Date would hold it). */
  ms?: boolean;
  /** Most entries a page holds whatever the request asks (a server's own cap, below the limit asked). */
  cap?: number;
  splits?: Split<E>[];
}

/** Railway's filter terms, joined with AND: `@deployment:<id>`, `@level:<level>`, `-` for not. */
function matches(e: E, filter: string | undefined): boolean {
  if (filter === undefined) return true;
  return filter.split(' AND ').every((term) => {
    const not = term.startsWith('-');
    const [field, value] = (not ? term.slice(1) : term).split(':');
    const has = (field === '@deployment' ? e.deployment : field === '@level' ? e.level : undefined) === value;
    return not ? !has : has;
  });
}

/** Reads the whole window, returns what was delivered (oldest first), where it stalled, and the requests made. */
async function readAll(log: E[], limit: number, r: Reading = {}): Promise<{ got: E[]; stalls: Stall[]; requests: number }> {
  const sorted = [...log].sort((a, b) => (timeKey(a.timestamp) < timeKey(b.timestamp) ? -1 : 1));
  let requests = 0;
  const fetch = async (before: string, n: number, filter?: string) => {
    requests++;
    const date = r.ms ? keyOfMs(msOfKey(before)) : before;
    const upTo = sorted.filter((e) => matches(e, filter) && (r.exclusive ? timeKey(e.timestamp) < date : timeKey(e.timestamp) <= date));
    return upTo.slice(Math.max(0, upTo.length - Math.min(n, r.cap ?? n) - (r.plusOne && requests % 2 === 0 ? 1 : 0)));
  };
  const pages: E[][] = [];
  const stalls: Stall[] = [];
  let cursor: PageCursor | null = { anchor: '2999-01-01T00:00:00.000000000Z', edge: {} };
  while (cursor !== null) {
    const page: Awaited<ReturnType<typeof readPage<E>>> = await readPage(fetch, (e) => timeKey(e.timestamp), { since: r.since ?? '2000-01-01T00:00:00.000000000Z', limit }, cursor, r.splits);
    pages.push(page.entries);
    stalls.push(...(page.stalls ?? []));
    cursor = page.next;
  }
  return { got: pages.reverse().flat(), stalls, requests };
}

const READINGS = [false, true].flatMap((exclusive) => [false, true].map((ms) => ({ exclusive, ms })));
const named = (r: Reading) => `${r.exclusive ? 'strictly before' : 'at or before'}, to the ${r.ms ? 'millisecond' : 'nanosecond'}`;
const SPLITS: Split<E>[] = [splitBy('@deployment', (e) => e.deployment), splitBy('@level', (e) => e.level)];
const byKey = (xs: E[]) => [...xs].sort((a, b) => (timeKey(a.timestamp) < timeKey(b.timestamp) ? -1 : timeKey(a.timestamp) > timeKey(b.timestamp) ? 1 : a.message < b.message ? -1 : 1));

const at = (s: number, ns = 0) => `2026-02-07T19:00:${String(s).padStart(2, '0')}.${String(ns).padStart(9, '0')}Z`;

describe('reading a window backwards', () => {
  it('delivers identical entries at a page edge as many times as they were written, with pages of limit + 1', async () => {
    const log: E[] = [];
    for (let s = 0; s < 20; s++) for (let k = 0; k < (s % 3) + 1; k++) log.push({ timestamp: at(s, 5), message: s % 2 === 0 ? 'same' : `line ${k}` });
    // Pages larger than the largest group of one instant (3 entries): nothing can be lost.
    for (const limit of [4, 5, 7]) {
      for (const plusOne of [false, true]) {
        for (const exclusive of [false, true]) {
          const { got, stalls } = await readAll(log, limit, { plusOne, exclusive });
          expect(got, `limit ${limit}${plusOne ? ' + 1' : ''}${exclusive ? ', strictly before' : ''}`).toEqual(log);
          expect(stalls).toEqual([]);
        }
      }
    }
  });

  it('gets the entries at a page edge under either reading of beforeDate, also with other entries in the same millisecond', async () => {
    // Groups one nanosecond and one microsecond apart inside one millisecond, and groups at whole milliseconds.
    const log: E[] = [];
    for (let s = 0; s < 6; s++) for (const ns of [0, 1, 2, 1000, 999_999]) for (let k = 0; k < 2; k++) log.push({ timestamp: at(s, ns), message: `s${s} ns${ns} #${k}` });
    for (const limit of [3, 4, 6]) {
      for (const exclusive of [false, true]) {
        const { got, stalls } = await readAll(log, limit, { exclusive });
        expect(got, `limit ${limit}${exclusive ? ', strictly before' : ''}`).toEqual(log);
        expect(stalls).toEqual([]);
      }
    }
  });

  it('steps past an instant holding more than a page when nothing splits it, and says where and how many it read', async () => {
    const log: E[] = [{ timestamp: at(1), message: 'before' }, ...Array.from({ length: 5 }, (_, i) => ({ timestamp: at(2), message: `burst ${i}` })), { timestamp: at(3), message: 'after' }];
    const { got, stalls } = await readAll(log, 3, { splits: SPLITS });
    expect(stalls).toEqual([{ at: timeKey(at(2)), millisecond: false, read: 3, filter: '' }]);
    expect(got[0]).toEqual(log[0]);
    expect(got.at(-1)).toEqual(log.at(-1));
    // Of the burst, what one page could hold.
    expect(got.length).toBeLessThan(log.length);
  });

  // Railway's lines of a deploy's overlap: two deployments, stdout (info) and stderr (error, whatever it says).
  const burst = (n: number, ns: (i: number) => number) =>
    Array.from({ length: n }, (_, i) => ({ timestamp: at(5, ns(i)), message: `burst ${i}`, deployment: i % 2 === 0 ? 'de01' : 'de02', level: i % 3 === 0 ? 'error' : 'info' }));
  const around = (xs: E[]) => [
    ...Array.from({ length: 7 }, (_, i) => ({ timestamp: at(4, i * 1000), message: `before ${i}`, deployment: 'de01', level: 'info' })),
    ...xs,
    ...Array.from({ length: 7 }, (_, i) => ({ timestamp: at(6, i * 1000), message: `after ${i}`, deployment: 'de02', level: 'info' })),
  ];

  for (const r of READINGS) {
    it(`reads more than a page inside one millisecond whole, by parts of the API's filter, with beforeDate read ${named(r)}`, async () => {
      // 26 lines in one millisecond, 2.6 pages; each deployment and level a part under a page.
      const distinct = around(burst(26, (i) => 1000 + i * 7919));
      const { got, stalls } = await readAll(distinct, 10, { ...r, splits: SPLITS });
      expect(stalls).toEqual([]);
      expect(got).toEqual(distinct);
      // One instant: the same lines, the parts of it in the order of the parts.
      const same = around(burst(26, () => 4242));
      const one = await readAll(same, 10, { ...r, splits: SPLITS });
      expect(one.stalls).toEqual([]);
      expect(byKey(one.got)).toEqual(byKey(same));
      expect(one.got).toHaveLength(same.length);
    });
  }

  for (const r of READINGS) {
    it(`reads the window whole from a server that sends fewer entries than asked (its own cap), with beforeDate read ${named(r)}`, async () => {
      // Groups one nanosecond and one microsecond apart inside one millisecond (more of them than
      // the server's cap, fewer than asked), and groups at whole milliseconds.
      const log: E[] = [];
      for (let s = 0; s < 6; s++) for (const ns of [0, 1, 2, 1000, 999_999]) for (let k = 0; k < 2; k++) log.push({ timestamp: at(s, ns), message: `s${s} ns${ns} #${k}`, deployment: k === 0 ? 'de01' : 'de02', level: ns < 1000 ? 'info' : 'error' });
      for (const plusOne of [false, true]) {
        for (const cap of [4, 6]) {
          const { got, stalls } = await readAll(log, 50, { ...r, plusOne, cap, splits: SPLITS });
          expect(stalls, `cap ${cap}`).toEqual([]);
          expect(byKey(got), `cap ${cap}${plusOne ? ', pages of cap + 1' : ''}`).toEqual(byKey(log));
          expect(got).toHaveLength(log.length);
        }
      }
      // More than the cap inside one millisecond (26), in parts under it: read whole by filter.
      for (const ns of [(i: number) => 1000 + i * 7919, () => 4242]) {
        const burstLog = around(burst(26, ns));
        const { got, stalls } = await readAll(burstLog, 100, { ...r, cap: 10, splits: SPLITS });
        expect(stalls).toEqual([]);
        expect(byKey(got)).toEqual(byKey(burstLog));
        expect(got).toHaveLength(burstLog.length);
      }
    });
  }

  it('says, and counts, what it could not read of a millisecond no filter splits below a page, when beforeDate is read to the millisecond', async () => {
    // One deployment, one level: the parts are the whole.
    const log = around(burst(26, (i) => 1000 + i * 7919).map((e) => ({ ...e, deployment: 'de01', level: 'info' })));
    for (const exclusive of [false, true]) {
      const { got, stalls } = await readAll(log, 10, { exclusive, ms: true, splits: SPLITS });
      expect(stalls, exclusive ? 'strictly before' : 'at or before').toEqual([{ at: keyOfMs(msOfKey(timeKey(at(5)))), millisecond: true, read: 10, filter: '@deployment:de01 AND @level:info' }]);
      // Everything outside that millisecond, and a page of it.
      expect(got.filter((e) => !e.message.startsWith('burst'))).toEqual(log.filter((e) => !e.message.startsWith('burst')));
      expect(got.filter((e) => e.message.startsWith('burst'))).toEqual(log.filter((e) => e.message.startsWith('burst')).slice(-10));
    }
    // Read to the nanosecond, the same lines page past each other by time: nothing is lost.
    for (const exclusive of [false, true]) expect((await readAll(log, 10, { exclusive, splits: SPLITS })).got).toEqual(log);
  });

  it('stops at the start of the window and at an empty page', async () => {
    const log = Array.from({ length: 10 }, (_, i) => ({ timestamp: at(i), message: `m${i}` }));
    const { got } = await readAll(log, 3, { since: timeKey(at(4)) });
    expect(got).toEqual(log.slice(4));
    expect((await readAll([], 3)).requests).toBe(1);
  });

  it('keys times as text that sorts: nanoseconds, offsets, shorter fractions', () => {
    expect(timeKey('2026-02-07T19:12:02.412345678Z')).toBe('2026-02-07T19:12:02.412345678Z');
    expect(timeKey('2026-02-07T19:12:02.4Z')).toBe('2026-02-07T19:12:02.400000000Z');
    expect(timeKey('2026-02-07T19:12:02Z')).toBe('2026-02-07T19:12:02.000000000Z');
    expect(timeKey('2026-02-07T20:12:02.5+01:00')).toBe('2026-02-07T19:12:02.500000000Z');
    expect(keyBefore('2026-02-07T19:12:02.000000000Z')).toBe('2026-02-07T19:12:01.999999999Z');
  });
});
