import { describe, expect, it } from 'vitest';
import { railwayHttp, levelOfStatus } from '../../../src/ingest/formats/railway-http.js';
import { runFormat, readText } from '../run-format.js';

const req = (o: Record<string, unknown>) =>
  JSON.stringify({ timestamp: '2026-02-07T19:12:22.104000000Z', requestId: 'r-' + Math.random().toString(36).slice(2), host: 'app.example.com', clientUa: 'Mozilla/5.0', srcIp: '203.0.113.9', edgeRegion: 'us-west2', upstreamErrors: '', deploymentId: 'dep-1', ...o });

describe('railway-http', () => {
  it('is recognised before railway-json', async () => {
    const { summary } = await readText([req({ method: 'GET', path: '/', httpStatus: 200, totalDuration: 3 }), req({ method: 'POST', path: '/login', httpStatus: 302, totalDuration: 40 })].join('\n'));
    expect(summary.format).toBe('railway-http');
  });

  it('writes method, route, status and duration as the message; level follows the status', () => {
    const r = runFormat(railwayHttp, [
      req({ method: 'GET', path: '/dashboard?tab=today', httpStatus: 500, totalDuration: 1234.4 }),
      req({ method: 'POST', path: '/api/tasks', httpStatus: 422, totalDuration: 18 }),
      req({ method: 'GET', path: '/static/app.js', httpStatus: 304, totalDuration: 2 }),
      req({ method: 'DELETE', path: '/api/tasks/9', httpStatus: '503' }),
    ]);
    expect(r.events.map((e) => e.message)).toEqual(['GET /dashboard 500 1234ms', 'POST /api/tasks 422 18ms', 'GET /static/app.js 304 2ms', 'DELETE /api/tasks/9 503']);
    expect(r.events.map((e) => e.level)).toEqual(['error', 'warn', 'info', 'error']);
    for (const e of r.events) expect(e.source).toBe('http');
    expect(r.events[0]!.attrs).toMatchObject({ path: '/dashboard?tab=today', edgeRegion: 'us-west2', deploymentId: 'dep-1' });
    expect(r.events[0]!.ts).toBe(Date.UTC(2026, 1, 7, 19, 12, 22, 104));
  });

  it('maps statuses to levels', () => {
    expect([200, 301, 404, 499, 500, 504].map(levelOfStatus)).toEqual(['info', 'info', 'warn', 'warn', 'error', 'error']);
  });

  it('skips lines that are not requests, with reasons', () => {
    const r = runFormat(railwayHttp, ['', 'not json', JSON.stringify({ path: '/', method: 'GET' }), req({ method: 'GET', path: '/', httpStatus: 200 })]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['blank line', 'not valid JSON', 'JSON object without a numeric "httpStatus"']);
    expect(r.events).toHaveLength(1);
  });
});
