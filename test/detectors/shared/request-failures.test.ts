import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../src/model.js';
import { requestOf, isUserFacingFailure, endpointOf, UserFacingJudge } from '../../../src/detectors/shared/request-failures.js';
import { normalisePath } from '../../../src/timeline/request-latency.js';

const ev = (message: string, attrs?: Record<string, unknown>, level: LogEvent['level'] = 'error'): LogEvent & { template: number } => ({
  ts: 0, service: 'web', source: 'app', level, levelText: level, message, input: 0, line: 1, template: 0, ...(attrs ? { attrs } : {}),
});

describe('requestOf', () => {
  it('reads method, path and status from attributes, full URLs included', () => {
    expect(requestOf(ev('upstream error', { method: 'post', path: '/api/orders/123?x=1', status_code: 502 }))).toEqual({ method: 'POST', path: '/api/orders/:id', status: 502 });
    expect(requestOf(ev('x', { httpMethod: 'GET', url: 'https://app.example.com/tasks/9f86d081884c7d659a2feaa0c55ad015', httpStatus: '503' }))).toEqual({ method: 'GET', path: '/tasks/:id', status: 503 });
  });

  it('reads them from the message: "Request failed: GET /dashboard", access-log lines, bare statuses', () => {
    expect(requestOf(ev('Request failed: GET /dashboard'))).toEqual({ method: 'GET', path: '/dashboard', status: null });
    expect(requestOf(ev('10.0.0.1 - "GET /api/items?page=2 HTTP/1.1" 500 12'))).toEqual({ method: 'GET', path: '/api/items', status: 500 });
    expect(requestOf(ev('PATCH /tasks/42 404'))).toEqual({ method: 'PATCH', path: '/tasks/:id', status: 404 });
    expect(requestOf(ev('upstream answered status=503'))).toEqual({ method: '', path: '', status: 503 });
    expect(requestOf(ev('Loaded 512 tasks'))).toBeNull();
  });

  it('leaves the punctuation that ends a path in prose out of it', () => {
    expect(requestOf(ev('Database error on POST /api/v1/generation-jobs/91396/cancel: (psycopg2.errors.LockNotAvailable) canceling statement'))).toEqual({ method: 'POST', path: '/api/v1/generation-jobs/:id/cancel', status: null });
    expect(requestOf(ev('Timed out serving GET /reports/monthly.csv, retrying'))).toEqual({ method: 'GET', path: '/reports/monthly.csv', status: null });
    expect(requestOf(ev('handler crashed (DELETE /sessions/77). 500'))).toMatchObject({ method: 'DELETE', path: '/sessions/:id' });
    expect(requestOf(ev('GET / 503'))).toEqual({ method: 'GET', path: '/', status: 503 });
  });
});

describe('isUserFacingFailure', () => {
  it('5xx and failed requests are, 4xx and background errors are not', () => {
    expect(isUserFacingFailure(ev('Request failed: GET /'))).toBe(true);
    expect(isUserFacingFailure(ev('x', { method: 'GET', path: '/a', status: 500 }))).toBe(true);
    expect(isUserFacingFailure(ev('GET /missing 404'))).toBe(false);
    expect(isUserFacingFailure(ev('Exception in ASGI application\nTraceback (most recent call last):'))).toBe(true);
    expect(isUserFacingFailure(ev('Materialization loop error: '))).toBe(false);
    expect(isUserFacingFailure(ev('Request failed: GET /', undefined, 'warn'))).toBe(false);
  });

  it('the judge agrees with the plain function and settles per template', () => {
    const judge = new UserFacingJudge();
    const events = Array.from({ length: 20 }, (_, i) => ({ ...ev(`Request failed: GET /t/${i}`), template: 7 }));
    expect(events.every((e) => judge.judge(e))).toBe(true);
    const bg = Array.from({ length: 20 }, () => ({ ...ev('Database session error: '), template: 8 }));
    expect(bg.some((e) => judge.judge(e))).toBe(false);
    // A template whose records carry request attributes is judged record by record.
    const mixed = [500, 404, 503, 404, 500, 404, 502].map((status) => ({ ...ev('upstream', { method: 'GET', path: '/x', status }), template: 9 }));
    expect(mixed.map((e) => judge.judge(e))).toEqual([true, false, true, false, true, false, true]);
  });
});

describe('endpointOf / normalisePath', () => {
  it('labels and masks ids', () => {
    expect(endpointOf({ method: 'GET', path: '/dashboard', status: null })).toBe('GET /dashboard');
    expect(endpointOf({ method: '', path: '', status: 500 })).toBeNull();
    expect(normalisePath('/users/550e8400-e29b-41d4-a716-446655440000/tasks/17#top')).toBe('/users/:id/tasks/:id');
  });
});
