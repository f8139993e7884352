// Request latencies from the request loggers' real lines (test/fixtures/requests/README.md: morgan
// 1.12.1's dev, tiny and short formats and pino-http 11.0.0 on Express 5.3.0; the stack lab's
// Fastify, bunyan and Rails captures), read by the table of src/timeline/request-latency.ts into
// the timeline's request statistics.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTimeline } from '../../src/pipeline.js';
import { REQUEST_LATENCY_FORMATS } from '../../src/timeline/request-latency.js';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const requests = (name: string) => join(FIXTURES, 'requests', name);

async function servicesOf(paths: string[]) {
  const { summary } = await readTimeline(paths);
  return { summary, services: summary.requests.services };
}

describe('request latency, from whichever request logger the app uses', () => {
  for (const [file, format] of [['requests-dev.stdout', 'morgan-dev'], ['requests-tiny.stdout', 'morgan-tiny'], ['requests-short.stdout', 'morgan-short'], ['requests-pino-http.stdout', 'pino-http']] as const) {
    it(`${format}: every request with its endpoint, status and latency (${file})`, async () => {
      const { services } = await servicesOf([requests(file)]);
      expect(services).toHaveLength(1);
      const s = services[0]!;
      expect(s.formats).toEqual([format]);
      expect(s.count).toBe(4);
      // The 1.2 s report first, each request with the status its line said.
      expect(s.slowest[0]).toMatchObject({ endpoint: 'GET /report', status: 200 });
      expect(s.slowest.map((r) => r.status).sort()).toEqual([200, 200, 404, 404]);
      expect(s.slowest[0]!.ms).toBeGreaterThan(1200);
      expect(s.slowest[0]!.ms).toBeLessThan(1300);
      expect(s.endpoints.map((e) => [e.endpoint, e.count]).sort()).toEqual([['GET /items', 1], ['GET /items/:id', 1], ['GET /missing', 1], ['GET /report', 1]]);
      expect(s.slowest.slice(1).every((r) => r.ms < 20)).toBe(true);
    });
  }

  it("each text entry's example is a line of its capture, each entry is read on some capture", () => {
    const captures = readdirSync(join(FIXTURES, 'requests')).filter((f) => f.endsWith('.stdout')).map((f) => readFileSync(requests(f), 'utf8')).join('\n');
    const ruby = readFileSync(join(FIXTURES, 'stacks/ruby/faults/web.jsonl'), 'utf8');
    for (const f of REQUEST_LATENCY_FORMATS) {
      if (f.line !== undefined) {
        expect(captures.includes(f.example) || ruby.includes(JSON.stringify(f.example).slice(1, -1)), f.id).toBe(true);
        expect(f.line.test(f.example), f.id).toBe(true);
      } else expect(typeof JSON.parse(f.example)[f.latency!.key], f.id).toBe('number');
    }
  });

  it("Caddy's access log and a Go service's zap request lines: `duration` in seconds, known by the members beside it", async () => {
    // test/fixtures/conventions/README.md (caddy 2.6.2: one request to a closed upstream);
    // test/fixtures/stacks/go/README.md (zap 1.23.0, NewProduction, a request line per request).
    const caddy = (await servicesOf([join(FIXTURES, 'conventions/caddy.txt')])).services;
    expect(caddy.map((s) => [s.formats, s.count, s.slowest[0]!.endpoint, s.slowest[0]!.status])).toEqual([[['caddy'], 1, 'GET /x', 502]]);
    const go = (await servicesOf([join(FIXTURES, 'stacks/go/faults/api.jsonl')])).services[0]!;
    expect(go.formats).toEqual(['zap-duration']);
    // The planted pool exhaustion: 3 reports held the pool's connections for 3 s, 5 requests waited 1 s for one.
    expect(go.slowest.filter((r) => r.ms >= 3000).map((r) => r.endpoint)).toEqual(['GET /report', 'GET /report', 'GET /report']);
    expect(go.slowest.filter((r) => r.ms >= 1000 && r.ms < 1100)).toHaveLength(5);
  });

  it("Fastify's pino lines (no endpoint), bunyan's request lines and Rails' Completed lines of the stack labs", async () => {
    const fastify = (await servicesOf([join(FIXTURES, 'stacks/node/healthy/api.jsonl')])).services[0]!;
    expect(fastify.formats).toEqual(['pino-http']);
    expect(fastify.endpoints.map((e) => e.endpoint)).toEqual([null]);
    const bunyan = (await servicesOf([join(FIXTURES, 'stacks/node-shapes/bunyan/faults/api.jsonl')])).services[0]!;
    expect(bunyan.formats).toEqual(['pino-http']);
    // The lab's facts: 3 slow requests of 4 s on /slow.
    const slow = bunyan.endpoints.find((e) => e.endpoint === 'GET /slow')!;
    expect([slow.count, Math.round(slow.p50Ms / 1000)]).toEqual([3, 4]);
    const rails = (await servicesOf([join(FIXTURES, 'stacks/ruby/faults/web.jsonl')])).services[0]!;
    expect(rails.formats).toEqual(['rails']);
    // 4 reports held the pools for 3 s (test/fixtures/stacks/ruby/README.md).
    expect(rails.slowest.filter((r) => r.ms >= 3000)).toHaveLength(4);
  });
});
