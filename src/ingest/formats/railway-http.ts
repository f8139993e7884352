// `railway logs --http --json`: one JSON object per request at Railway's edge (timestamp, method,
// path, httpStatus, totalDuration, requestId, host, clientUa, srcIp, edgeRegion, upstreamErrors,
// deploymentId, ...). Each becomes an `http` event whose message reads `GET /dashboard 500 1234ms`,
// so the template miner groups requests by route, and whose level follows the status.
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { jsonObjectOrSkip, shareOf, sniffedJsonObject } from '../format.js';
import type { Level, LogEvent } from '../../model.js';
import { railwayTimestamp } from './railway-json.js';
import { EPOCH_OUT_OF_RANGE } from '../timestamp.js';
import { depthTally, warnDeepValues } from '../json-depth.js';

function looksRailwayHttp(l: string): boolean {
  const o = sniffedJsonObject(l, '"httpStatus"');
  return o !== null && 'httpStatus' in o && ('path' in o || 'method' in o);
}

/** hindsight level of an HTTP status: 5xx error, 4xx warn, anything else info. */
export function levelOfStatus(status: number): Level {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.length > 0) {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export const railwayHttp: InputFormat = {
  id: 'railway-http',
  title: 'Railway HTTP logs (railway logs --http --json)',
  recognisedBy: 'JSON objects with "httpStatus" and "path"/"method"',
  example: '{"timestamp":"2026-02-07T19:12:22.104Z","method":"GET","path":"/dashboard","httpStatus":500,"totalDuration":1234,"requestId":"e1f…","host":"app.example.com","edgeRegion":"us-west2"}',
  sniff(lines) {
    const share = shareOf(lines, looksRailwayHttp);
    return { score: share * 0.95, reason: `${Math.round(share * 100)}% of the first lines are JSON objects with httpStatus and path` };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const depth = depthTally();
    return {
      line(text, lineNo) {
        let i = 0;
        while (i < text.length && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
        if (i === text.length) {
          sink.skip(lineNo, 'blank line', text);
          return;
        }
        const obj = jsonObjectOrSkip(text, lineNo, sink, depth);
        if (obj === null) return;
        const ts = railwayTimestamp(obj);
        if (ts !== null && ts !== ts) {
          sink.skip(lineNo, EPOCH_OUT_OF_RANGE, text);
          return;
        }
        const status = numberOf(obj.httpStatus ?? obj.status);
        if (status === null) {
          sink.skip(lineNo, 'JSON object without a numeric "httpStatus"', text);
          return;
        }
        const method = typeof obj.method === 'string' ? obj.method : '-';
        let path = typeof obj.path === 'string' ? obj.path : '-';
        // The query string varies per request; the route is what groups them.
        const q = path.indexOf('?');
        if (q !== -1) path = path.slice(0, q);
        const duration = numberOf(obj.totalDuration);
        const message = duration === null ? `${method} ${path} ${status}` : `${method} ${path} ${status} ${Math.round(duration)}ms`;
        const level = levelOfStatus(status);
        const svc = typeof obj.service === 'string' && obj.service.length > 0 ? obj.service : service;
        const ev: LogEvent = { ts, service: svc, source: 'http', level, levelText: String(status), message, attrs: obj, input, line: lineNo };
        sink.event(ev, 1);
      },
      end() {
        warnDeepValues(sink, depth);
      },
    };
  },
};
