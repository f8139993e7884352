// Paging a window of Railway logs. The API has no cursor: a request asks for the newest `limit`
// entries before an anchor time. So a window is read backwards: anchor at its end, then at the
// oldest time of each page, until a page reaches the window's start, comes back empty, or brings
// nothing older than its anchor (a short page is no end: a server may send fewer than asked).
// Entries at the anchor's own time come back on both pages and are dropped the second time: the
// page remembers how many of each identity (time, message, severity, attributes, tags) it
// delivered at its oldest time. A page may hold `limit + 1` entries; more than a page of entries
// at one instant cannot be paged past, and is said so.
//
// Whether Railway's `beforeDate` takes entries at the date itself is not documented, nor to what
// precision it reads the date. So a request asks before the next whole millisecond after the
// anchor (`askedDate`): at or before it, or strictly before it, at nanosecond or millisecond
// precision, the entries at the anchor are on the page; those newer than the anchor were
// delivered already and are dropped by time.
import { createHash } from 'node:crypto';
import { RailwayError } from './client.js';

/**
 * A time as a key that sorts as text: RFC 3339 in UTC with nine fraction digits
 * (`2026-02-07T19:12:02.412345678Z`). Railway writes that shape already; others are normalized.
 */
export function timeKey(ts: string): string {
  if (ts.length === 30 && ts.charCodeAt(29) === 90 && ts.charCodeAt(19) === 46) return ts;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/.exec(ts);
  if (m === null) return keyOfMs(Date.parse(ts));
  const frac = (m[2] ?? '').padEnd(9, '0');
  if (m[3] === 'Z') return `${m[1]}.${frac}Z`;
  // An offset: shift the seconds part, keep the fraction.
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** The key of an epoch-ms time. */
export function keyOfMs(ms: number): string {
  if (!Number.isFinite(ms)) return '0000-00-00T00:00:00.000000000Z';
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}

/** Epoch ms of a key (the nanoseconds dropped). */
export function msOfKey(key: string): number {
  return Date.parse(`${key.slice(0, 23)}Z`);
}

/** The key `ns` nanoseconds after `key` (before it, when negative). */
function keyShifted(key: string, ns: bigint): string {
  const at = BigInt(msOfKey(key)) * 1_000_000n + BigInt(key.slice(23, 29)) + ns;
  const ms = Number(at / 1_000_000n);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(at % 1_000_000n).padStart(6, '0')}Z`;
}

/** The key one nanosecond before `key`. */
export function keyBefore(key: string): string {
  return keyShifted(key, -1n);
}

/** The key one nanosecond after `key`. */
export function keyAfter(key: string): string {
  return keyShifted(key, 1n);
}

/** The date a request for the entries at or before `anchor` sends: the next whole millisecond after it (see the head of this file). */
export function askedDate(anchor: string): string {
  return keyOfMs(msOfKey(anchor) + 1);
}

/** The key of the last instant before the epoch-ms time `ms`: a window that ends there leaves `ms` itself out (half-open). */
export function keyBeforeMs(ms: number): string {
  return keyBefore(keyOfMs(ms));
}

/** A short stable identity of an entry, for the ones that repeat at page edges. */
export function identityOf(entry: object): string {
  return createHash('sha1').update(JSON.stringify(entry)).digest('base64url').slice(0, 16);
}

/** Where a backwards read stands: the next anchor, and the identities already delivered at it. */
export interface PageCursor {
  anchor: string;
  /** Identity → how many entries of it were delivered at `anchor`. */
  edge: Record<string, number>;
}

export interface PagedWindow {
  /** Start of the window (a key): entries before it are not delivered. */
  since: string;
  /** Entries at `since` with these identities were read before (the previous night): not delivered again. */
  seenAtSince?: Record<string, number>;
  limit: number;
}

export interface Page<T> {
  /** New entries of the window, oldest first. */
  entries: T[];
  /** Where the next page starts (null: the window is read). */
  next: PageCursor | null;
  /** Set when more than a page of entries share one instant: some of them could not be read. */
  stalledAt?: string;
  /** Set when the read ended because the server has nothing older, before the window's start. */
  exhausted?: true;
}

/**
 * Reads one page of a window backwards from `cursor` with `fetch(anchor, limit)` and works out the
 * next cursor. `key` gives an entry's time key.
 */
export async function readPage<T extends object>(fetch: (before: string, limit: number) => Promise<T[]>, key: (e: T) => string, window: PagedWindow, cursor: PageCursor): Promise<Page<T>> {
  const ask = async (before: string) => {
    const keyed = (await fetch(before, window.limit)).map((e) => ({ e, k: key(e) }));
    // Oldest first, whatever order the server used; stable for entries of one instant.
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    return keyed;
  };
  /** The entries of a page not delivered before, and those of them at the anchor, by identity. */
  const sift = (keyed: { e: T; k: string }[]) => {
    const atAnchor = { ...cursor.edge };
    const atSince = window.seenAtSince ? { ...window.seenAtSince } : null;
    const entries: T[] = [];
    const freshAtAnchor: Record<string, number> = {};
    for (const { e, k } of keyed) {
      if (k > cursor.anchor || k < window.since) continue;
      if (k === cursor.anchor || (atSince !== null && k === window.since)) {
        const id = identityOf(e);
        if (k === cursor.anchor && (atAnchor[id] ?? 0) > 0) {
          atAnchor[id]!--;
          continue;
        }
        if (atSince !== null && k === window.since && (atSince[id] ?? 0) > 0) {
          atSince[id]!--;
          continue;
        }
        if (k === cursor.anchor) freshAtAnchor[id] = (freshAtAnchor[id] ?? 0) + 1;
      }
      entries.push(e);
    }
    return { entries, freshAtAnchor };
  };
  // A page that brings nothing new but entries between the anchor and the date asked (delivered
  // already, taking the page's room) is asked again closer: one nanosecond after the anchor (exact
  // at nanosecond precision under either reading), then at the anchor itself.
  const dates = [askedDate(cursor.anchor), keyAfter(cursor.anchor), cursor.anchor];
  let asked = dates[0]!;
  let keyed = await ask(asked);
  let { entries, freshAtAnchor } = sift(keyed);
  for (let i = 1; i < dates.length && entries.length === 0 && keyed.length > 0; i++) {
    const newest = keyed[keyed.length - 1]!.k;
    if (newest <= cursor.anchor || newest > asked) break;
    asked = dates[i]!;
    keyed = await ask(asked);
    ({ entries, freshAtAnchor } = sift(keyed));
  }
  const page: Page<T> = { entries, next: null };
  // A short page does not end the read: a server may send fewer than asked. An empty one does,
  // and so does one that reaches the window's start or brings nothing older than the anchor.
  if (keyed.length === 0) {
    page.exhausted = true;
    return page;
  }
  const oldest = keyed[0]!.k;
  if (oldest < window.since) return page;
  // Nothing older than the anchor and some newer: the server ignored (or rounded) it, and would
  // send this page for ever (or the read would end here, short, without a word).
  if (oldest >= cursor.anchor && keyed[keyed.length - 1]!.k > asked) throw new RailwayError(`Railway answered entries newer than the time asked for and none older (asked before ${asked}, got ${oldest} and later): it does not page back, so the read cannot go on`);
  if (oldest === cursor.anchor) {
    if (entries.length === 0) {
      if (keyed.length < window.limit) {
        page.exhausted = true;
        return page;
      }
      // A full page of one instant, all read already: step past it.
      page.stalledAt = oldest;
      page.next = { anchor: keyBefore(oldest), edge: {} };
    } else {
      const edge = { ...cursor.edge };
      for (const [id, n] of Object.entries(freshAtAnchor)) edge[id] = (edge[id] ?? 0) + n;
      page.next = { anchor: oldest, edge };
    }
    return page;
  }
  const edge: Record<string, number> = {};
  for (const { e, k } of keyed) {
    if (k !== oldest) break;
    const id = identityOf(e);
    edge[id] = (edge[id] ?? 0) + 1;
  }
  page.next = { anchor: oldest, edge };
  return page;
}

/** The identities of the newest entries of a page (those at its newest time), to start the next night from. */
export function newestEdge<T extends object>(entries: readonly T[], key: (e: T) => string): { key: string; edge: Record<string, number> } | null {
  if (entries.length === 0) return null;
  const newest = key(entries[entries.length - 1]!);
  const edge: Record<string, number> = {};
  for (let i = entries.length - 1; i >= 0 && key(entries[i]!) === newest; i--) {
    const id = identityOf(entries[i]!);
    edge[id] = (edge[id] ?? 0) + 1;
  }
  return { key: newest, edge };
}
