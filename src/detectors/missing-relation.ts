// Queries against tables that do not exist: PostgreSQL's `relation "x" does not exist` (42P01) and
// the drivers' echo of it (asyncpg UndefinedTableError, psycopg2.errors.UndefinedTable). When they
// start right after a deploy or a database restart, the schema was not created or migrated before
// the app took traffic (review 001: "connected to PostgreSQL but no tables existed").
import type { Finding } from '../model.js';
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { defineDetector, type DetectedFinding } from './detector.js';
import { candidateEvents } from './shared/template-index.js';
import { countBy, distinct, firstLast, spreadEvidence } from './shared/event-groups.js';
import { humanDuration, isoSeconds, plural } from '../words.js';
import { LIFECYCLE_INTERESTS, lifecycleOf } from './shared/lifecycle.js';
import { shownStatement } from '../timeline/postgres-stats.js';

const MISSING_RE = /relation "([^"]+)" does not exist/;
const mayBeMissing = (m: string) => MISSING_RE.test(m);

/** The `data` of a missing-relation finding (its numbers, for the reports and the JSON). */
export type MissingRelationData = {
  relation: string;
  count: number;
  driverSide: number;
  services: string[];
  statements: {
    statement: string;
    count: number;
  }[];
  afterStartSeconds: number | null;
  lastStartBefore: string | null;
  firstSeen: string | null;
  lastSeen: string | null;
};

export const missingRelation = defineDetector({
  meta: {
    id: 'missing-relation',
    title: 'Queries against missing tables',
    report: { summaryLabel: () => 'queries against a missing table', count: (f: Finding<MissingRelationData>) => f.data.count },
    explanation:
      'PostgreSQL `relation "x" does not exist` errors (SQLSTATE 42P01) and their driver-side echo (UndefinedTableError), per table: ' +
      'the schema was not created or migrated before the app ran, or the app points at the wrong database or schema.',
    defaults: { minCount: 1, afterStartSeconds: 600 },
    optionDocs: {
      minCount: 'errors about one table needed for a finding',
      afterStartSeconds: 'errors this soon after a container start are reported as "after a start" (schema not ready)',
    },
    interests: [...LIFECYCLE_INTERESTS],
  },
  detect(t: TimelineSummary, o): DetectedFinding<MissingRelationData>[] {
    const byRelation = new Map<string, TimelineEvent[]>();
    for (const ev of candidateEvents(t, mayBeMissing)) {
      const m = MISSING_RE.exec(ev.message);
      if (m === null) continue;
      const name = m[1]!.toLowerCase();
      let l = byRelation.get(name);
      if (l === undefined) byRelation.set(name, (l = []));
      l.push(ev);
    }
    if (byRelation.size === 0) return [];
    const starts = lifecycleOf(t).starts.map((s) => s.ts).sort((a, b) => a - b);
    const findings: DetectedFinding<MissingRelationData>[] = [];
    for (const [relation, all] of [...byRelation].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const server = all.filter((e) => e.source === 'postgres');
      const list = server.length > 0 ? server : all;
      if (list.length < o.minCount) continue;
      const { firstSeen, lastSeen } = firstLast(list);
      const first = list.find((e) => e.ts !== null)?.ts ?? null;
      const startBefore = first === null ? undefined : [...starts].reverse().find((s) => s <= first);
      const afterStart = startBefore !== undefined && first! - startBefore <= o.afterStartSeconds * 1000 ? (first! - startBefore) / 1000 : null;
      const statements = countBy(list.filter((e) => e.pg?.statement), (e) => shownStatement(e.pg!.statement!));
      const services = distinct(all.map((e) => e.service));
      findings.push({
        about: relation,
        severity: list.length >= 10 || afterStart !== null ? 'high' : 'medium',
        title: `Missing Table "${relation}" (${plural(list.length, 'error')})`,
        summary:
          `Queries used "${relation}", which did not exist: ${plural(list.length, 'error')} between ${firstSeen ?? '?'} and ${lastSeen ?? '?'}` +
          (afterStart !== null ? `, starting ${humanDuration(afterStart * 1000)} after a container start` : '') +
          '.',
        pattern: `${plural(list.length, 'error')} "relation \\"${relation}\\" does not exist" on ${services.join(', ')}` +
          (all.length > list.length ? ` (and ${all.length - list.length} driver-side echoes)` : '') + '.',
        rootCause:
          afterStart !== null
            ? 'The errors begin right after a start: the app took traffic before its tables were created or migrated (no migration step at deploy, or table creation that failed silently).'
            : 'The table is missing in the database the app connects to: a migration not applied, a wrong search_path or schema, or the wrong database URL.',
        impact: 'Every request or job touching this table fails until the schema exists.',
        recommendation:
          'Run migrations (or metadata.create_all) as a deploy step before the app starts serving, fail the health check until the schema is there, ' +
          'and log the database name and schema at start-up.',
        evidence: spreadEvidence(t, all, 5),
        data: {
          relation,
          count: list.length,
          driverSide: all.length - list.length,
          services,
          statements: Object.entries(statements).map(([statement, count]) => ({ statement, count })),
          afterStartSeconds: afterStart,
          lastStartBefore: startBefore !== undefined ? isoSeconds(startBefore) : null,
          firstSeen,
          lastSeen,
        },
      });
    }
    return findings;
  },
});
