// Small pieces of English that detectors (their narratives and report labels) and renderers share:
// durations and times of day, numbers, money, shares, plurals, lists.

/**
 * A duration in words from seconds: `45 s`, `12 min`, `1.5 h`, `2 days` (a tenth from an hour up).
 * Below an hour, `tenths` shows a tenth under ten of the unit (`5.3 s`, `5.5 min`: a measure read
 * beside a chart, such as one column's width) and `whole` rounds to the unit (`6 min`: a span told
 * in a narrative). The sign is dropped: callers say which way.
 */
export function humanSeconds(s: number, precision: 'tenths' | 'whole' = 'tenths'): string {
  const a = Math.abs(s);
  const short = (x: number, unit: string) => `${+x.toFixed(precision === 'tenths' && x < 10 ? 1 : 0)} ${unit}`;
  if (a < 90) return short(a, 's');
  if (a < 90 * 60) return short(a / 60, 'min');
  if (a < 36 * 3600) return `${+(a / 3600).toFixed(1)} h`;
  return `${+(a / 86400).toFixed(1)} days`;
}

/** A span in a detector's narrative, from milliseconds: `humanSeconds`, whole units below an hour (`45 s`, `6 min`, `3.5 h`). */
export function humanDuration(ms: number): string {
  return humanSeconds(ms / 1000, 'whole');
}

/** Integer with thousands separators (`12,345`), independent of the locale. */
export function int(n: number): string {
  const s = Math.round(n).toString();
  const neg = s.startsWith('-');
  const d = neg ? s.slice(1) : s;
  return (neg ? '-' : '') + d.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A number with at most `digits` decimals and no trailing zeros (`3.2`, `80`, `0.05`). */
export function num(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return String(n);
  const r = +n.toFixed(digits);
  return Math.abs(r) >= 1000 ? int(r) : String(r);
}

/** Money in dollars: two decimals, or more when the amount is under a cent. */
export function money(n: number, currency = 'USD'): string {
  const sym = currency === 'USD' ? '$' : '';
  const suffix = sym ? '' : ` ${currency}`;
  const abs = Math.abs(n);
  const s = abs > 0 && abs < 0.01 ? abs.toFixed(4) : abs.toFixed(2);
  return `${n < 0 ? '-' : ''}${sym}${s}${suffix}`;
}

/** A share (0..1) as a whole percentage, `<1%` for small non-zero ones. */
export function percent(share: number): string {
  if (share > 0 && share < 0.005) return '<1%';
  return `${Math.round(share * 100)}%`;
}

/** `2026-02-07 19:12 UTC`, for headings and windows. */
export function minuteOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
}

/** `2026-02-07T19:12:02Z` (UTC, seconds), for narratives and messages. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `19:12:02` (UTC), for narratives about one day. */
export function clockOf(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

/** `1 finding`, `3 findings`, `12,345 lines` (whole counts with thousands separators). */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${Number.isInteger(n) ? int(n) : n} ${n === 1 ? one : many}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listJoin(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ' and ' + items[items.length - 1];
}

/** An input as messages name it: its path, or "standard input" for `-`. */
export function inputName(path: string): string {
  return path === '-' ? 'standard input' : path;
}
