// Railway's rate limit drops log lines: "Railway rate limit of 500 logs/sec reached for replica,
// update your application to reduce the logging rate. Messages dropped: 50". Every count after
// such a line is a lower bound; the dropped lines are reported with where they fell so bursts in
// the same minutes can be read as larger than they look.
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { candidateEvents } from './shared/template-index.js';
import { distinct, firstLast, spreadEvidence } from './shared/event-groups.js';
import { isoSeconds, plural } from '../words.js';

const DROPPED_RE = /Messages dropped: (\d+)/;
const mayBeDropped = (m: string) => DROPPED_RE.test(m);

/** The `data` of a log-loss finding (its numbers, for the reports and the JSON). */
export type LogLossData = {
  dropped: number;
  notices: number;
  perService: Record<string, number>;
  perMinute: Record<string, number>;
  services: string[];
  firstSeen: string | null;
  lastSeen: string | null;
};

export const logLoss = defineDetector({
  meta: {
    id: 'log-loss',
    title: 'Log lines dropped by the platform',
    report: { summaryLabel: () => 'log lines dropped by the platform' },
    explanation:
      'Railway\'s "rate limit of 500 logs/sec reached ... Messages dropped: N": lines lost before hindsight could read them. Counts in the ' +
      'minutes around them are lower bounds; the dropped totals are listed per minute so bursts there can be read as larger.',
    defaults: { minDropped: 1 },
    optionDocs: { minDropped: 'dropped lines needed for a finding' },
    interests: [DROPPED_RE],
  },
  detect(t: TimelineSummary, o): DetectedFinding<LogLossData>[] {
    const list: { ev: TimelineEvent; n: number }[] = [];
    for (const ev of candidateEvents(t, mayBeDropped)) {
      const m = DROPPED_RE.exec(ev.message);
      if (m) list.push({ ev, n: Number(m[1]) });
    }
    const dropped = list.reduce((s, x) => s + x.n, 0);
    if (list.length === 0 || dropped < o.minDropped) return [];
    const perMinute: Record<string, number> = {};
    const perService: Record<string, number> = {};
    for (const x of list) {
      perService[x.ev.service] = (perService[x.ev.service] ?? 0) + x.n;
      if (x.ev.ts === null) continue;
      const minute = isoSeconds(Math.floor(x.ev.ts / 60_000) * 60_000);
      perMinute[minute] = (perMinute[minute] ?? 0) + x.n;
    }
    const { firstSeen, lastSeen } = firstLast(list.map((x) => x.ev));
    const services = distinct(list.map((x) => x.ev.service));
    const worst = Object.entries(perMinute).sort((a, b) => b[1] - a[1])[0];
    return [
      {
        about: services.join('+'),
        severity: dropped >= 1000 ? 'high' : 'medium',
        title: `Log Lines Dropped by the Rate Limit (${plural(dropped, 'line')})`,
        summary: `Railway dropped ${plural(dropped, 'log line')} in ${plural(list.length, 'notice')} between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}` +
          (worst ? `; the worst minute was ${worst[0]} with ${worst[1]}` : '') + '.',
        pattern: `Per service: ${Object.entries(perService).map(([s, n]) => `${s} ${n}`).join(', ')}. Per minute: ` +
          Object.entries(perMinute).map(([m, n]) => `${m.slice(11, 16)} ${n}`).join(', ') + '.',
        rootCause: 'A service logged more than 500 lines per second per replica: a tight loop logging each iteration, an error logged per item, or debug logging left on.',
        impact: 'The lines that explain an incident may be among the dropped ones; counts of errors and events in these minutes are lower bounds.',
        recommendation: 'Find the template that floods (hindsight templates), log it once per batch or sample it, and raise the level of chatty loggers.',
        evidence: spreadEvidence(t, list.map((x) => x.ev), 4),
        data: { dropped, notices: list.length, perService, perMinute, services, firstSeen, lastSeen },
      },
    ];
  },
});
