// Small pieces of English that detectors (their narratives) and renderers share: durations, plurals, lists.

/** `45 s`, `12 min`, `1 h`, `1.5 h`, `2 days` from seconds. */
export function humanSeconds(s: number): string {
  const a = Math.abs(s);
  if (a < 90) return `${+a.toFixed(a < 10 ? 1 : 0)} s`;
  if (a < 90 * 60) return `${+(a / 60).toFixed(a < 600 ? 1 : 0)} min`;
  if (a < 36 * 3600) return `${+(a / 3600).toFixed(1)} h`;
  return `${+(a / 86400).toFixed(1)} days`;
}

/** Integer with thousands separators (`12,345`), independent of the locale. */
export function int(n: number): string {
  const s = Math.round(n).toString();
  const neg = s.startsWith('-');
  const d = neg ? s.slice(1) : s;
  return (neg ? '-' : '') + d.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
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
