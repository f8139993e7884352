// Heroku log-runtime-metrics lines (`source=web.1 dyno=heroku.… sample#memory_total=21.00MB …`)
// arrive inside ordinary logs; their memory figure becomes a metric sample of the dyno's `source`.
import type { EventSink } from './format.js';

const KEY = 'sample#memory_total=';

const UNIT_TO_MB: Record<string, number> = { MB: 1, mb: 1, kB: 1e-3, KB: 1e-3, kb: 1e-3, GB: 1000, gb: 1000, B: 1e-6, MiB: 1.048576, GiB: 1073.741824 };

/** A memory sample in a Heroku runtime-metrics message, or null (cheap when the key is absent). */
export function herokuMemorySample(message: string): { source: string; dyno?: string; mb: number } | null {
  // A one-character search first: '#' is rare in messages, and a search for the whole key
  // stumbles on every 's' of the message.
  if (message.indexOf('#') === -1) return null;
  const k = message.indexOf(KEY);
  if (k === -1) return null;
  let i = k + KEY.length;
  const start = i;
  while (i < message.length) {
    const c = message.charCodeAt(i);
    if ((c >= 48 && c <= 57) || c === 46) i++;
    else break;
  }
  if (i === start) return null;
  const value = Number(message.slice(start, i));
  let j = i;
  while (j < message.length && isLetter(message.charCodeAt(j))) j++;
  const unit = message.slice(i, j) || 'MB';
  const factor = UNIT_TO_MB[unit];
  if (factor === undefined || !Number.isFinite(value)) return null;
  const source = wordAfter(message, 'source=');
  if (source === null) return null;
  const dyno = wordAfter(message, 'dyno=');
  const out: { source: string; dyno?: string; mb: number } = { source, mb: Number((value * factor).toPrecision(12)) };
  if (dyno !== null) out.dyno = dyno;
  return out;
}

/** Emits the memory sample of a Heroku runtime-metrics message, if it is one and has a time. */
export function emitHerokuSample(sink: EventSink, message: string, ts: number | null): void {
  if (ts === null) return;
  const s = herokuMemorySample(message);
  if (s === null) return;
  const sample = { service: s.source, measurement: 'memory', unit: 'MB', ts, value: s.mb };
  sink.metric(s.dyno !== undefined ? { ...sample, instance: s.dyno } : sample);
}

function wordAfter(s: string, key: string): string | null {
  let k = s.indexOf(key);
  // `key` must start a word (`source=`, not `resource=`).
  while (k > 0 && s.charCodeAt(k - 1) !== 32 && s.charCodeAt(k - 1) !== 9) k = s.indexOf(key, k + 1);
  if (k === -1) return null;
  const from = k + key.length;
  let e = from;
  while (e < s.length && s.charCodeAt(e) !== 32 && s.charCodeAt(e) !== 9) e++;
  return e > from ? s.slice(from, e) : null;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
