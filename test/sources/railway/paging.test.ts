// Paging backwards without a cursor (src/sources/railway/paging.ts), on an in-memory log that
// answers as Railway does: the newest `limit` entries at or before the date asked, sometimes one
// more; or strictly before it (the guide does not say which: both readings must give the same).
import { describe, expect, it } from 'vitest';
import { keyBefore, readPage, timeKey, type PageCursor } from '../../../src/sources/railway/paging.js';

interface E {
  timestamp: string;
  message: string;
}

/** Reads the whole window, returns what was delivered (oldest first) and the instants it could not page past. */
async function readAll(log: E[], limit: number, plusOne = false, since = '2000-01-01T00:00:00.000000000Z', exclusive = false): Promise<{ got: E[]; stalls: string[]; requests: number }> {
  const sorted = [...log].sort((a, b) => (timeKey(a.timestamp) < timeKey(b.timestamp) ? -1 : 1));
  let requests = 0;
  const fetch = async (before: string, n: number) => {
    requests++;
    const upTo = sorted.filter((e) => (exclusive ? timeKey(e.timestamp) < before : timeKey(e.timestamp) <= before));
    return upTo.slice(Math.max(0, upTo.length - n - (plusOne && requests % 2 === 0 ? 1 : 0)));
  };
  const pages: E[][] = [];
  const stalls: string[] = [];
  let cursor: PageCursor | null = { anchor: '2999-01-01T00:00:00.000000000Z', edge: {} };
  while (cursor !== null) {
    const page: Awaited<ReturnType<typeof readPage<E>>> = await readPage(fetch, (e) => timeKey(e.timestamp), { since, limit }, cursor);
    pages.push(page.entries);
    if (page.stalledAt) stalls.push(page.stalledAt);
    cursor = page.next;
  }
  return { got: pages.reverse().flat(), stalls, requests };
}

const at = (s: number, ns = 0) => `2026-02-07T19:00:${String(s).padStart(2, '0')}.${String(ns).padStart(9, '0')}Z`;

describe('reading a window backwards', () => {
  it('delivers identical entries at a page edge as many times as they were written, with pages of limit + 1', async () => {
    const log: E[] = [];
    for (let s = 0; s < 20; s++) for (let k = 0; k < (s % 3) + 1; k++) log.push({ timestamp: at(s, 5), message: s % 2 === 0 ? 'same' : `line ${k}` });
    // Pages larger than the largest group of one instant (3 entries): nothing can be lost.
    for (const limit of [4, 5, 7]) {
      for (const plusOne of [false, true]) {
        for (const exclusive of [false, true]) {
          const { got, stalls } = await readAll(log, limit, plusOne, undefined, exclusive);
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
        const { got, stalls } = await readAll(log, limit, false, undefined, exclusive);
        expect(got, `limit ${limit}${exclusive ? ', strictly before' : ''}`).toEqual(log);
        expect(stalls).toEqual([]);
      }
    }
  });

  it('steps past an instant holding more than a page, and says where', async () => {
    const log: E[] = [{ timestamp: at(1), message: 'before' }, ...Array.from({ length: 5 }, (_, i) => ({ timestamp: at(2), message: `burst ${i}` })), { timestamp: at(3), message: 'after' }];
    const { got, stalls } = await readAll(log, 3);
    expect(stalls).toEqual([timeKey(at(2))]);
    expect(got[0]).toEqual(log[0]);
    expect(got.at(-1)).toEqual(log.at(-1));
    // Of the burst, what one page could hold.
    expect(got.length).toBeLessThan(log.length);
  });

  it('stops at the start of the window and at an empty page', async () => {
    const log = Array.from({ length: 10 }, (_, i) => ({ timestamp: at(i), message: `m${i}` }));
    const { got } = await readAll(log, 3, false, timeKey(at(4)));
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
