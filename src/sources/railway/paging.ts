// Paging a window of Railway logs. The API has no cursor: a request asks for the newest `limit`
// entries before an anchor time. So a window is read backwards: anchor at its end, then at the
// oldest time of each page, until a page reaches the window's start, comes back empty, or brings
// nothing older than its anchor (a short page is no end: a server may send fewer than asked).
// Entries at the anchor's own time come back on both pages and are dropped the second time: the
// page remembers how many of each identity (time, message, severity, attributes, tags) it
// delivered at its oldest time. A page may hold `limit + 1` entries.
//
// Whether Railway's `beforeDate` takes entries at the date itself is not documented, nor to what
// precision it reads the date. So a request asks before the next whole millisecond after the
// anchor (`askedDate`): at or before it, or strictly before it, at nanosecond or millisecond
// precision, the entries at the anchor are on the page; those newer than the anchor were
// delivered already and are dropped by time.
//
// More than a page inside one millisecond is where time alone fails: at one instant (any
// precision), or anywhere in a millisecond when Railway reads dates only to the millisecond (a
// retry one nanosecond past the anchor then leaves out the entries at the anchor, which are known
// to exist: that is how it shows). That millisecond is read again by parts with the API's `filter`
// (`splits`: by deployment, then by level), each part backwards to the millisecond's start; a part
// still holding more than a page is split by the next way. With no way left, the read steps past
// it and says so (a `Stall`, with the lines of it read), never silently.
//
// A server may send fewer entries than asked whatever is there (a cap of its own): a page is full
// when it holds as many as the fewest a page held while older entries existed (`PageCursor.cap`:
// learnt when the next page brings entries older than the page's oldest), not only when it holds
// the limit asked. Else a millisecond or an instant holding more than such a page would look like
// the end of what there is, and what lies before it would be skipped.
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
  /** The fewest entries a page held while older entries existed, when fewer than asked: the server's own cap (head of this file). */
  cap?: number;
  /** Entries the page that set this cursor held, when fewer than asked (the next page tells whether older ones existed). */
  held?: number;
}

export interface PagedWindow {
  /** Start of the window (a key): entries before it are not delivered. */
  since: string;
  /** Entries at `since` with these identities were read before (the previous night): not delivered again. */
  seenAtSince?: Record<string, number>;
  limit: number;
}

/** More than a page inside one millisecond that no filter could split below a page: some of it may be missing. */
export interface Stall {
  /** The instant (a key), or the millisecond (the key of its start) when Railway reads dates to the millisecond. */
  at: string;
  millisecond: boolean;
  /** Entries of it the page held (at least a page's worth exist); those beyond were not read. */
  read: number;
  /** The filter of the part that stalled ('' for the whole service). */
  filter: string;
}

export interface Page<T> {
  /** New entries of the window, oldest first. */
  entries: T[];
  /** Where the next page starts (null: the window is read). */
  next: PageCursor | null;
  /** Set when more than a page inside one millisecond could not be read whole. */
  stalls?: Stall[];
  /** Set when the read ended because the server has nothing older, before the window's start. */
  exhausted?: true;
}

/** Asks for up to `limit` entries before `before`, narrowed by `filter` (terms joined with AND) when given. */
export type PageFetch<T> = (before: string, limit: number, filter?: string) => Promise<T[]>;

/**
 * A way to split entries into disjoint parts with the API's filter: from the entries of a page, the
 * filter terms of the parts (together every entry, seen or not), or null when it cannot split them.
 */
export type Split<T> = (entries: readonly T[]) => string[] | null;

/** A split by one field: a part per value seen (plain words only), and one for every other value or none. */
export function splitBy<T>(field: string, valueOf: (e: T) => string | null | undefined): Split<T> {
  return (entries) => {
    const values = [...new Set(entries.map(valueOf))].filter((v): v is string => typeof v === 'string' && /^[A-Za-z0-9_.-]+$/.test(v)).sort();
    if (values.length === 0) return null;
    return [...values.map((v) => `${field}:${v}`), values.map((v) => `-${field}:${v}`).join(' AND ')];
  };
}

/**
 * Reads one page of a window backwards from `cursor` with `fetch(anchor, limit)` and works out the
 * next cursor. `key` gives an entry's time key; `splits`, the ways to narrow a millisecond holding
 * more than a page (head of this file).
 */
export async function readPage<T extends object>(fetch: PageFetch<T>, key: (e: T) => string, window: PagedWindow, cursor: PageCursor, splits: readonly Split<T>[] = []): Promise<Page<T>> {
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
  const first = keyed;
  let { entries, freshAtAnchor } = sift(keyed);
  for (let i = 1; i < dates.length && entries.length === 0 && keyed.length > 0; i++) {
    const newest = keyed[keyed.length - 1]!.k;
    if (newest <= cursor.anchor || newest > asked) break;
    asked = dates[i]!;
    keyed = await ask(asked);
    ({ entries, freshAtAnchor } = sift(keyed));
  }
  // Entries the last page could have held and did not (new ones, or older than its oldest, all
  // at or before the date it asked): that page held what the server sends at most.
  const older = (xs: readonly { k: string }[]) => xs.length > 0 && xs[0]!.k < cursor.anchor;
  const cap = cursor.held !== undefined && (entries.length > 0 || older(first) || older(keyed)) ? Math.min(cursor.cap ?? cursor.held, cursor.held) : cursor.cap;
  const full = (n: number) => n >= Math.min(window.limit, cap ?? window.limit);
  const carried = (next: PageCursor): PageCursor => {
    if (cap !== undefined) next.cap = cap;
    if (keyed.length < window.limit) next.held = keyed.length;
    return next;
  };
  // A full page with nothing new, asked again just past the anchor, whose entries exist (some were
  // delivered), and none of them came: Railway read the date to the millisecond, and what lies
  // between that millisecond's start and the anchor would be skipped. (A short page held all there
  // was up to the anchor's millisecond, and one reaching below the anchor all there was above its
  // oldest: nothing lies between.)
  if (asked !== dates[0] && full(first.length) && !older(first) && Object.keys(cursor.edge).length > 0 && (keyed.length === 0 || keyed[keyed.length - 1]!.k < cursor.anchor)) {
    return stuck(fetch, key, window, { ...cursor, cap }, splits, first, true);
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
      if (!full(keyed.length)) {
        page.exhausted = true;
        return page;
      }
      // A full page of one instant, all read already.
      return stuck(fetch, key, window, { ...cursor, cap }, splits, keyed, false);
    } else {
      const edge = { ...cursor.edge };
      for (const [id, n] of Object.entries(freshAtAnchor)) edge[id] = (edge[id] ?? 0) + n;
      page.next = carried({ anchor: oldest, edge });
    }
    return page;
  }
  const edge: Record<string, number> = {};
  for (const { e, k } of keyed) {
    if (k !== oldest) break;
    const id = identityOf(e);
    edge[id] = (edge[id] ?? 0) + 1;
  }
  page.next = carried({ anchor: oldest, edge });
  return page;
}

/**
 * More than a page inside the anchor's millisecond (`millisecond`: Railway reads dates to it; else
 * at the anchor itself), `page` the full page of it. Read by parts when a split is left, else
 * stepped past and said.
 */
async function stuck<T extends object>(fetch: PageFetch<T>, key: (e: T) => string, window: PagedWindow, cursor: PageCursor, splits: readonly Split<T>[], page: readonly { e: T; k: string }[], millisecond: boolean): Promise<Page<T>> {
  const msStart = keyOfMs(msOfKey(cursor.anchor));
  const [start, end] = millisecond ? [msStart, askedDate(cursor.anchor)] : [cursor.anchor, keyAfter(cursor.anchor)];
  const seen = page.filter((x) => x.k >= start && x.k < end);
  const past = (k: string): PageCursor | null => (k <= window.since ? null : cursor.cap === undefined ? { anchor: keyBefore(k), edge: {} } : { anchor: keyBefore(k), edge: {}, cap: cursor.cap });
  for (const [i, split] of splits.entries()) {
    const terms = split(seen.map((x) => x.e));
    if (terms === null) continue;
    // Each part read backwards from the cursor to the millisecond's start, with the ways after this one.
    const part: PagedWindow = msStart > window.since ? { since: msStart, limit: window.limit } : window;
    const entries: { e: T; k: string }[] = [];
    const stalls: Stall[] = [];
    for (const term of terms) {
      const narrowed: PageFetch<T> = (before, limit, filter) => fetch(before, limit, filter === undefined ? term : `${term} AND ${filter}`);
      for (let c: PageCursor | null = cursor; c !== null; ) {
        const p: Page<T> = await readPage(narrowed, key, part, c, splits.slice(i + 1));
        for (const e of p.entries) entries.push({ e, k: key(e) });
        for (const st of p.stalls ?? []) stalls.push({ ...st, filter: st.filter === '' ? term : `${term} AND ${st.filter}` });
        c = p.next;
      }
    }
    // Oldest first; the parts of one instant in the order of the parts.
    entries.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    const out: Page<T> = { entries: entries.map((x) => x.e), next: past(part.since) };
    if (stalls.length > 0) out.stalls = stalls;
    return out;
  }
  return { entries: [], next: past(start), stalls: [{ at: start, millisecond, read: seen.length, filter: '' }] };
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
