// Timestamp parsing for the hot path: character codes, no regex and no `new Date(string)` per
// line. The calendar date is cached, since consecutive lines almost always share it.
import { viewOf } from './byte-view.js';
import { ownString } from '../own-string.js';

let cachedDateKey = -1;
let cachedDateMs = 0;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function dateMs(y: number, m: number, d: number): number {
  const key = y * 10000 + m * 100 + d;
  if (key !== cachedDateKey) {
    cachedDateKey = key;
    cachedDateMs = daysFromCivil(y, m, d) * 86_400_000;
  }
  return cachedDateMs;
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(at + i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Two digits at `at` as a number, or -1 (also past the end of `s`). */
function d2(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Offsets in minutes of the zone abbreviations PostgreSQL and syslog commonly print. */
export const ZONE_OFFSETS: Readonly<Record<string, number>> = {
  UTC: 0, GMT: 0, Z: 0, UT: 0, WET: 0, WEST: 60, BST: 60, IST: 330, CET: 60, CEST: 120, MET: 60,
  MEST: 120, EET: 120, EEST: 180, MSK: 180, EST: -300, EDT: -240, CST: -360, CDT: -300,
  MST: -420, MDT: -360, PST: -480, PDT: -420, AKST: -540, AKDT: -480, HST: -600, JST: 540,
  KST: 540, AEST: 600, AEDT: 660, ACST: 570, AWST: 480, NZST: 720, NZDT: 780, SGT: 480,
  HKT: 480, BRT: -180, ART: -180,
};

/** Result of a parse: epoch ms and the index just past the timestamp, or null. */
export interface ParsedTime {
  ms: number;
  end: number;
}

const out: ParsedTime = { ms: 0, end: 0 };

// parseTimestampAt's last minute: its 16 characters (empty before the first) and its epoch ms.
let lastMinuteText = '';
let lastMinuteMs = 0;

/**
 * Parses `YYYY-MM-DD[T ]HH:MM[:SS[.fff…]][Z|±HH[:MM]| ZONE]` starting at `at`.
 * Without a zone the time is taken as UTC. Returns a shared object (copy what you keep) or null.
 */
export function parseTimestampAt(s: string, at = 0): ParsedTime | null {
  if (s.length < at + 16) return null;
  let minute: number;
  // The minute (`YYYY-MM-DD HH:MM`) of the last call, when this time starts with it: one
  // comparison where reading it costs ten two-digit reads (PostgreSQL lines mostly share it).
  if (lastMinuteText.length === 16 && s.startsWith(lastMinuteText, at)) minute = lastMinuteMs;
  else {
    const yh = d2(s, at);
    const yl = d2(s, at + 2);
    if (yh < 0 || yl < 0 || s.charCodeAt(at + 4) !== 45 || s.charCodeAt(at + 7) !== 45) return null;
    const y = yh * 100 + yl;
    const mo = d2(s, at + 5);
    const d = d2(s, at + 8);
    const sep = s.charCodeAt(at + 10);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || (sep !== 84 && sep !== 32 && sep !== 116)) return null;
    const h = d2(s, at + 11);
    const mi = d2(s, at + 14);
    if (h < 0 || h > 24 || mi < 0 || mi > 59 || s.charCodeAt(at + 13) !== 58) return null;
    minute = dateMs(y, mo, d) + h * 3_600_000 + mi * 60_000;
    // An owned copy: a slice would keep the line (or a piece of many lines) alive.
    lastMinuteText = ownString(s.slice(at, at + 16));
    lastMinuteMs = minute;
  }
  let i = at + 16;
  let sec = 0;
  let frac = 0;
  if (s.charCodeAt(i) === 58) {
    sec = d2(s, i + 1);
    if (sec < 0 || sec > 60) return null;
    i += 3;
    const c = s.charCodeAt(i);
    if (c === 46 || c === 44) {
      i++;
      // Milliseconds from the first three digits; further digits (µs, ns) are read past.
      let scale = 100;
      for (;;) {
        const dc = s.charCodeAt(i) - 48;
        // Past the end charCodeAt is NaN, which no comparison catches but this one.
        if (!(dc >= 0 && dc <= 9)) break;
        frac += dc * scale;
        scale = scale === 1 ? 0 : scale / 10;
        i++;
      }
    }
  }
  let ms = minute + sec * 1000 + frac;
  // Zone.
  let c = s.charCodeAt(i);
  if (c === 90 || c === 122) {
    i++;
  } else if (c === 43 || c === 45) {
    const sign = c === 43 ? 1 : -1;
    const oh = digits(s, i + 1, 2);
    if (oh >= 0) {
      let j = i + 3;
      let om = 0;
      // Minutes only when two digits end there: in `+03:172.31.5.9` (RDS's `%t:%r`) the colon is a separator.
      const colon = s.charCodeAt(j) === 58 ? 1 : 0;
      const m2 = digits(s, j + colon, 2);
      if (m2 >= 0 && m2 < 60 && !isDigitCode(s.charCodeAt(j + colon + 2))) {
        om = m2;
        j += colon + 2;
      }
      ms -= sign * (oh * 60 + om) * 60_000;
      i = j;
    }
  } else if (c === 32) {
    // " UTC", " CEST", " +03", " -0500"
    const n = s.charCodeAt(i + 1);
    if (n === 43 || n === 45) {
      const sign = n === 43 ? 1 : -1;
      const oh = digits(s, i + 2, 2);
      if (oh >= 0) {
        let j = i + 4;
        let om = 0;
        const colon = s.charCodeAt(j) === 58 ? 1 : 0;
        const m2 = digits(s, j + colon, 2);
        if (m2 >= 0 && m2 < 60 && !isDigitCode(s.charCodeAt(j + colon + 2))) {
          om = m2;
          j += colon + 2;
        }
        ms -= sign * (oh * 60 + om) * 60_000;
        i = j;
      }
    } else if (n === 85 && s.charCodeAt(i + 2) === 84 && s.charCodeAt(i + 3) === 67 && !isLetter(s.charCodeAt(i + 4))) {
      // " UTC", PostgreSQL's default: no slice and no table lookup for it.
      i += 4;
    } else if (n >= 65 && n <= 90) {
      let j = i + 1;
      while (j < s.length && j < i + 7) {
        c = s.charCodeAt(j);
        if (c < 65 || c > 90) break;
        j++;
      }
      const zone = s.slice(i + 1, j);
      const off = ZONE_OFFSETS[zone];
      if (off !== undefined && (j >= s.length || !isLetter(s.charCodeAt(j)))) {
        ms -= off * 60_000;
        i = j;
      }
    }
  }
  out.ms = ms;
  out.end = i;
  return out;
}

function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Two ASCII digits at `b[at]` as a number, or -1. */
function b2(b: Uint8Array, at: number): number {
  const x = b[at]! - 48;
  const y = b[at + 1]! - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

// The first 16 bytes (`YYYY-MM-DDTHH:MM`) of the last time parseUtcAt read, as four 32-bit words,
// and their epoch ms: consecutive lines mostly share their minute.
let minuteW0 = 0;
let minuteW1 = 0;
let minuteW2 = 0;
let minuteW3 = 0;
let minuteMs = NaN;

/**
 * Epoch ms of the common UTC form `YYYY-MM-DDTHH:MM:SS[.fraction]Z` at `b[at]`, when the byte
 * after it is `stop` (the closing quote of a JSON string); NaN for any other form (then use
 * parseTimestampAt). The one shape Railway writes, read from the line's bytes (see json-scan.ts:
 * a byte costs less to read than a charCodeAt), without branches for the other shapes. The minute
 * is read only when it differs from the last call's (four 32-bit loads tell).
 */
export function parseUtcAt(b: Uint8Array, at: number, stop: number): number {
  if (at + 20 > b.length) return NaN;
  const v = viewOf(b);
  const w0 = v.getInt32(at, true);
  const w1 = v.getInt32(at + 4, true);
  const w2 = v.getInt32(at + 8, true);
  const w3 = v.getInt32(at + 12, true);
  let minute: number;
  if (w0 === minuteW0 && w1 === minuteW1 && w2 === minuteW2 && w3 === minuteW3 && minuteMs === minuteMs) minute = minuteMs;
  else {
    if (b[at + 10] !== 84 || b[at + 4] !== 45 || b[at + 7] !== 45 || b[at + 13] !== 58) return NaN;
    const yh = b2(b, at);
    const yl = b2(b, at + 2);
    const mo = b2(b, at + 5);
    const d = b2(b, at + 8);
    const h = b2(b, at + 11);
    const mi = b2(b, at + 14);
    if (yh < 0 || yl < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59) return NaN;
    minute = dateMs(yh * 100 + yl, mo, d) + h * 3_600_000 + mi * 60_000;
    minuteW0 = w0;
    minuteW1 = w1;
    minuteW2 = w2;
    minuteW3 = w3;
    minuteMs = minute;
  }
  const sec = b2(b, at + 17);
  if (b[at + 16] !== 58 || sec < 0 || sec > 60) return NaN;
  let i = at + 19;
  let frac = 0;
  if (b[i] === 46) {
    const f = b2(b, i + 1);
    const f3 = b[i + 3]! - 48;
    if (f < 0 || !(f3 >= 0 && f3 <= 9)) return NaN;
    frac = f * 10 + f3;
    i += 4;
    for (;;) {
      const c = b[i]! - 48;
      if (c >= 0 && c <= 9) i++;
      else break;
    }
  }
  if (b[i] !== 90 || b[i + 1] !== stop) return NaN;
  return minute + sec * 1000 + frac;
}

/** Epoch ms of an ISO 8601 / RFC 3339 timestamp string, or null. */
export function parseTimestamp(s: string): number | null {
  const r = parseTimestampAt(s, 0);
  return r === null ? null : r.ms;
}

/**
 * The times a number may stand for: 1900 to 2200. Beyond them a numeric timestamp is garbage
 * (1e308, -1e14: most of them even beyond what a Date can hold, which ended runs with an error);
 * text timestamps cannot leave years 0-9999 and go to the timeline's outlier rule instead.
 */
export const MIN_EPOCH_MS = Date.UTC(1900, 0, 1);
export const MAX_EPOCH_MS = Date.UTC(2200, 0, 1);

/** Why a record whose numeric timestamp epochToMs refused is skipped. */
export const EPOCH_OUT_OF_RANGE = 'numeric timestamp out of range (no time from 1900 to 2200 as seconds, milliseconds, microseconds or nanoseconds since 1970)';

/**
 * Epoch ms of a number that is seconds, milliseconds or nanoseconds since the epoch (guessed by
 * size); NaN when that is no time from MIN_EPOCH_MS to MAX_EPOCH_MS (or not finite).
 */
export function epochToMs(v: number): number {
  let ms: number;
  if (v > 1e17) ms = Math.floor(v / 1e6); // ns
  else if (v > 1e14) ms = Math.floor(v / 1e3); // µs
  else if (v > 1e11) ms = v; // ms
  else ms = v * 1000; // s
  return ms >= MIN_EPOCH_MS && ms < MAX_EPOCH_MS ? ms : NaN;
}

/** ISO string (UTC, milliseconds) for output. */
export function isoOf(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
