// Small pieces of English the renderers share: durations, plurals, lists.

/** `45 s`, `12 min`, `1 h`, `1.5 h`, `2 days` from seconds. */
export function humanSeconds(s: number): string {
  const a = Math.abs(s);
  if (a < 90) return `${+a.toFixed(a < 10 ? 1 : 0)} s`;
  if (a < 90 * 60) return `${+(a / 60).toFixed(a < 600 ? 1 : 0)} min`;
  if (a < 36 * 3600) return `${+(a / 3600).toFixed(1)} h`;
  return `${+(a / 86400).toFixed(1)} days`;
}

/** `1 finding`, `3 findings`. */
export function plural(n: number, one: string, many = one + 's'): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function listJoin(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ' and ' + items[items.length - 1];
}
