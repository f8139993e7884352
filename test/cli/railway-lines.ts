// Synthetic `railway logs --json` lines for CLI and digest tests: a day of an app with a periodic
// job, requests, and the incidents a test asks for. Names, periods and counts are parameters, so
// tests do not lean on one sample's wording.

export interface DayOptions {
  /** Start of the day (epoch ms). */
  start: number;
  service?: string;
  /** A periodic job's success message and period (minutes). */
  job?: { message: string; periodMin: number };
  /** Requests per hour (info). */
  requestsPerHour?: number;
  /** Errors with an empty message ("<prefix>: "), every `everyMin` minutes. */
  emptyErrors?: { prefix: string; everyMin: number };
  /** A burst of request failures at `atMin` minutes into the day. */
  burst?: { atMin: number; count: number; path: string };
  /** A message seen only on this day (a new template), `count` times at warn level. */
  novel?: { message: string; count: number };
  /** A secret leaked into a log line. */
  secretLine?: string;
}

const MIN = 60_000;

/** One JSON line as `railway logs --json` prints it. */
export function railwayLine(ts: number, level: string, message: string, attrs: Record<string, unknown> = {}): string {
  return JSON.stringify({ message, level, timestamp: new Date(ts).toISOString().replace('Z', '000000Z'), ...attrs });
}

/** The lines of one day, sorted by time. */
export function railwayDay(o: DayOptions): string[] {
  const out: [number, string][] = [];
  const dep = { deploymentId: 'd-' + Math.floor(o.start / 86_400_000) };
  const push = (ts: number, level: string, message: string) => out.push([ts, railwayLine(ts, level, message, dep)]);
  const rph = o.requestsPerHour ?? 12;
  for (let h = 0; h < 24; h++) {
    for (let k = 0; k < rph; k++) push(o.start + h * 60 * MIN + Math.floor((k * 60 * MIN) / rph) + 7_000, 'info', `Request completed: GET /items/${(h * rph + k) % 17} 200 (${5 + ((h + k) % 9)} ms)`);
  }
  if (o.job) for (let t = 0; t < 24 * 60; t += o.job.periodMin) push(o.start + t * MIN, 'info', o.job.message);
  if (o.emptyErrors) for (let t = 13; t < 24 * 60; t += o.emptyErrors.everyMin) push(o.start + t * MIN + 3_000, 'error', `${o.emptyErrors.prefix}: `);
  if (o.burst) {
    for (let i = 0; i < o.burst.count; i++) {
      const ts = o.start + o.burst.atMin * MIN + i * 2_000;
      push(ts, 'error', `Request failed: GET ${o.burst.path}`);
    }
  }
  if (o.novel) for (let i = 0; i < o.novel.count; i++) push(o.start + (100 + i * 37) * MIN, 'warn', o.novel.message);
  if (o.secretLine) push(o.start + 5 * MIN, 'warn', o.secretLine);
  return out.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
}
