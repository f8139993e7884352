// What `hindsight pull railway` writes beside the logs. `deployments.json`: each deployment of the
// window (id, service, status, created, stopped), read as platform events at the times Railway
// recorded (created; live, removed, crashed or failed), carrying `deploymentId` as the logs do, so
// that deploys and crashes are known from the platform and not guessed from messages. A deployment
// an earlier night reported (`reported`: the status it had then; the nightly digest) gives only
// what changed since: no creation, and its status only when another.
// `pull.json`: the pull's record, whose warnings and "what is missing" become the input's
// warnings, so that a report says what the fetch could not get.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { JsonDocumentReader, headText } from '../json-documents.js';
import type { Level, LogEvent } from '../../model.js';
import { parseTimestamp } from '../timestamp.js';

interface Deployment {
  id: string;
  service: string;
  serviceId?: string;
  status: string;
  createdAt: string;
  statusUpdatedAt?: string | null;
  stoppedAt?: string | null;
  reported?: string;
}

/** What each final status says, and its level. */
const STATUS: Record<string, [string, Level]> = {
  SUCCESS: ['is live', 'info'],
  REMOVED: ['removed', 'info'],
  CRASHED: ['crashed', 'error'],
  FAILED: ['failed', 'error'],
  SKIPPED: ['skipped', 'info'],
  SLEEPING: ['sleeping', 'info'],
};

export const railwayDeployments: InputFormat = {
  id: 'railway-deployments',
  title: "Railway deployments and the pull's record (deployments.json, pull.json of hindsight pull railway)",
  recognisedBy: 'a JSON document with "source": "hindsight pull railway" and "deployments", or "source": "railway" with "window" and "services"',
  example: '{"source":"hindsight pull railway","deployments":[\n{"id":"de00…","service":"api","status":"CRASHED","createdAt":"2026-02-07T18:02:11.000Z","stoppedAt":"2026-02-07T19:12:40.000Z"}\n]}',
  sniff(lines) {
    const text = headText(lines);
    if (/^\s*\{/.test(text) && /"source":\s*"hindsight pull railway"/.test(text) && text.indexOf('"deployments"') !== -1) return { score: 0.99, reason: 'deployments.json of hindsight pull railway' };
    if (/^\s*\{/.test(text) && /"source":\s*"railway"/.test(text) && text.indexOf('"window"') !== -1 && text.indexOf('"services"') !== -1) return { score: 0.99, reason: 'pull.json of hindsight pull railway' };
    return { score: 0, reason: 'not a document of hindsight pull railway' };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, input } = ctx;
    const reader = new JsonDocumentReader(sink, 'hindsight pull railway', (doc) => {
      const o = doc.value as Record<string, unknown>;
      if (typeof o !== 'object' || o === null) return 'not a document of hindsight pull railway';
      if (Array.isArray(o.deployments)) {
        // One deployment a line, after the line that opens the list.
        o.deployments.forEach((d: unknown, i: number) => emitDeployment(d, doc.firstLine + 1 + i));
        return null;
      }
      if (o.source === 'railway' && Array.isArray(o.services)) {
        for (const w of Array.isArray(o.warnings) ? o.warnings : []) sink.warn?.(`the pull: ${String(w)}`);
        for (const m of Array.isArray(o.missing) ? (o.missing as { what?: unknown; why?: unknown }[]) : []) sink.warn?.(`the pull is missing ${String(m?.what)}: ${String(m?.why)}`);
        if (o.complete === false) sink.warn?.(`the pull stopped early (${String(o.stoppedBecause ?? 'interrupted')}): run it again to fetch the rest of the window`);
        return null;
      }
      return 'neither deployments nor a pull record';
    });
    const emitDeployment = (value: unknown, line: number) => {
      // The file is hindsight's own, but may have been edited or cut: fields of the wrong type are left out, never trusted.
      if (typeof value !== 'object' || value === null) return;
      const v = value as Record<string, unknown>;
      const text = (x: unknown) => (typeof x === 'string' ? x : undefined);
      const d: Deployment = { id: text(v.id) ?? '(no id)', service: text(v.service) ?? 'railway', serviceId: text(v.serviceId), status: text(v.status) ?? '', createdAt: text(v.createdAt) ?? '', statusUpdatedAt: text(v.statusUpdatedAt), stoppedAt: text(v.stoppedAt), reported: text(v.reported) };
      // `status` only on the event of the status (lifecycle.ts reads a crash there), `created` on the
      // creation (lifecycle.ts tells a deploy's start from a restart by it): never read from the words.
      const at = (ts: string | null | undefined, words: string, level: Level, status?: string) => {
        const t = ts ? parseTimestamp(ts) : null;
        if (t === null) return;
        const attrs = status === undefined ? { deploymentId: d.id, serviceId: d.serviceId, created: true } : { deploymentId: d.id, serviceId: d.serviceId, status };
        const ev: LogEvent = { ts: t, service: d.service, source: 'platform', level, levelText: level, message: `Deployment ${d.id} ${words}`, attrs, input, line };
        sink.event(ev, 0);
      };
      if (d.reported === undefined) at(d.createdAt, 'created', 'info');
      const final = STATUS[d.status];
      if (final !== undefined && d.reported !== d.status) at(d.status === 'SUCCESS' ? d.statusUpdatedAt : (d.stoppedAt ?? d.statusUpdatedAt), final[0], final[1], d.status);
    };
    return { line: (text, n) => reader.line(text, n), end: () => reader.end() };
  },
};
