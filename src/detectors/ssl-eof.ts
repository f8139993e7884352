// "could not accept SSL connection: EOF detected": a peer opened a TCP connection to PostgreSQL and
// closed it during the TLS handshake. A few a day are port probes or TCP health checks; bursts
// mean clients killed while connecting (a restarting app, a crash loop), as in review 001 where
// they came with WAL recovery. PostgreSQL logs them at LOG level, so they are an interest.
import type { Finding } from '../model.js';
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { candidateEvents } from './shared/template-index.js';
import { densestWindow, distinct, firstLast, spreadEvidence } from './shared/event-groups.js';
import { clockOf, isoSeconds, plural } from '../words.js';

const SSL_RE = /could not accept SSL connection: (.+)$/;
const mayBeSslEof = (m: string) => SSL_RE.test(m);

/** The `data` of a ssl-eof finding (its numbers, for the reports and the JSON). */
export type SslEofData = {
  count: number;
  reasons: Record<string, number>;
  services: string[];
  densestWindow: {
    count: number;
    start: string | null;
    seconds: number;
  };
  bursty: boolean;
  firstSeen: string | null;
  lastSeen: string | null;
};

export const sslEof = defineDetector({
  meta: {
    id: 'ssl-eof',
    title: 'TLS handshakes dropped at accept',
    report: { summaryLabel: () => 'dropped TLS handshakes', count: (f: Finding<SslEofData>) => f.data.count },
    explanation:
      'PostgreSQL "could not accept SSL connection: EOF detected" (and other reasons): peers that closed the connection during the TLS ' +
      'handshake. Isolated ones are probes or health checks; bursts point at clients killed while connecting (restart loops).',
    defaults: { minCount: 5, burstSeconds: 60, burstCount: 5 },
    optionDocs: {
      minCount: 'dropped handshakes needed for a finding',
      burstSeconds: 'window (s) in which burstCount drops make a burst',
      burstCount: 'drops within burstSeconds that count as a burst (medium severity)',
    },
    interests: [/could not accept SSL connection: /],
  },
  detect(t: TimelineSummary, o): DetectedFinding<SslEofData>[] {
    const list: TimelineEvent[] = [];
    const reasons: Record<string, number> = {};
    for (const ev of candidateEvents(t, mayBeSslEof)) {
      const m = SSL_RE.exec(ev.message);
      if (m === null) continue;
      list.push(ev);
      const r = m[1]!.trim();
      reasons[r] = (reasons[r] ?? 0) + 1;
    }
    if (list.length < o.minCount) return [];
    const times = list.filter((e) => e.ts !== null).map((e) => e.ts!).sort((a, b) => a - b);
    const dense = densestWindow(times, o.burstSeconds * 1000);
    const bursty = dense.count >= o.burstCount;
    const { firstSeen, lastSeen } = firstLast(list);
    const services = distinct(list.map((e) => e.service));
    return [
      {
        about: services.join('+'),
        severity: bursty ? 'medium' : 'low',
        title: `Dropped TLS Handshakes (${plural(list.length, 'connection')})`,
        summary:
          `${plural(list.length, 'connection')} closed during the TLS handshake between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}` +
          (bursty && dense.start !== null ? `, ${dense.count} of them within ${o.burstSeconds} s from ${clockOf(dense.start)}` : '') +
          '.',
        pattern: `Reasons: ${Object.entries(reasons).map(([r, c]) => `${r} ×${c}`).join(', ')}. Densest ${o.burstSeconds} s window: ${dense.count}.`,
        rootCause: bursty
          ? 'Many handshakes dropped together: clients killed or restarted while connecting (a crash or restart loop of the app), or a proxy cutting connections.'
          : 'Scattered handshakes dropped: port scanners, TCP health checks, or clients that give up on a slow handshake.',
        impact: bursty ? 'The clients behind the burst did not get a connection; usually a symptom of a restart loop around the database.' : 'None by itself.',
        recommendation: bursty
          ? 'Look at what restarted at the burst (restart-loop, container-churn findings); make health checks use the app endpoint rather than raw TCP to PostgreSQL.'
          : 'No action needed unless they grow; restrict who can reach the database port.',
        evidence: spreadEvidence(t, list, 4),
        data: {
          count: list.length,
          reasons,
          services,
          densestWindow: { count: dense.count, start: dense.start === null ? null : isoSeconds(dense.start), seconds: o.burstSeconds },
          bursty,
          firstSeen,
          lastSeen,
        },
      },
    ];
  },
});
