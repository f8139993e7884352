// The HTTP side of a clickhouse:// input, on a loopback server speaking ClickHouse's HTTP interface
// as far as the official client needs (the queries themselves run on a real engine in
// test/e2e/clickhouse.test.ts): a server that cannot be reached is one line without the password,
// and Ctrl-C kills the query on the server (KILL QUERY with its id), not only the connection.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpExecutor } from '../../../src/sources/clickhouse/executor.js';
import { ClickHouseSource } from '../../../src/sources/clickhouse/source.js';
import { parseClickHouseUrl } from '../../../src/sources/clickhouse/target.js';
import { runCli } from '../../cli/run-cli.js';

let server: Server | null = null;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = null;
});

function listen(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler);
  return new Promise((resolve) => server!.listen(0, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port)));
}

describe('clickhouse:// over HTTP', () => {
  it('a server that cannot be reached: one line, exit 2, the password nowhere', async () => {
    const port = await listen(() => {});
    server!.close();
    await new Promise((r) => setTimeout(r, 10));
    const r = await runCli(['analyze', `clickhouse://reader@127.0.0.1:${port}/logs`], { env: { HINDSIGHT_CLICKHOUSE_PASSWORD: 'hunter2-very-secret' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`hindsight: cannot reach ClickHouse at http://127.0.0.1:${port} (ECONNREFUSED): is the server up, and is that its HTTP port (8123; 8443 with clickhouses://)?\n`);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });

  it('Ctrl-C stops the read and kills the query on the server by its id', async () => {
    const kills: string[] = [];
    let selected: string | null = null;
    const port = await listen((req, res) => {
      const url = new URL(req.url!, 'http://x');
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (body.startsWith('KILL QUERY')) {
          kills.push(url.searchParams.get('param_id') ?? '');
          res.end();
          return;
        }
        selected = url.searchParams.get('query_id');
        res.writeHead(200, { 'Content-Type': 'text/tab-separated-values', 'X-ClickHouse-Query-Id': selected ?? '' });
        // One row, then a query that keeps reading.
        res.write('{"message":"GET / 200","timestamp":"2026-02-07T19:00:00.000000Z","service":"api"}\n');
      });
    });
    const target = parseClickHouseUrl(`clickhouse://127.0.0.1:${port}/logs`, {});
    const source = new ClickHouseSource(target, new HttpExecutor(target));
    const stop = new AbortController();
    const [input] = source.inputs(['api'], {}, stop.signal);
    const chunks: string[] = [];
    for await (const c of input!.open()) {
      chunks.push(String(c));
      stop.abort();
    }
    await source.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(chunks.join('')).toContain('GET / 200');
    expect(selected).not.toBeNull();
    expect(kills).toEqual([selected]);
  });

  it('a query that fails after its first rows (a limit reached half-way) is the line about the limit, not a short read', async () => {
    const port = await listen((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'text/tab-separated-values' });
        // What a server writes when the query breaks after the headers went out (ClickHouse's HTTP handler).
        res.end('{"message":"GET / 200","timestamp":"2026-02-07T19:00:00.000000Z","service":"api"}\nCode: 241. DB::Exception: Memory limit (for query) exceeded: would use 9.32 GiB (attempt to allocate chunk of 4194304 bytes), maximum: 9.31 GiB. (MEMORY_LIMIT_EXCEEDED) (version 24.8.4.13 (official build))\n');
      });
    });
    const target = parseClickHouseUrl(`clickhouse://127.0.0.1:${port}/logs`, {});
    const source = new ClickHouseSource(target, new HttpExecutor(target));
    const [input] = source.inputs(['api'], {}, new AbortController().signal);
    const read = async () => {
      for await (const _ of input!.open());
    };
    await expect(read()).rejects.toThrow(`the query on clickhouse://127.0.0.1:${port}/logs?table=otel_logs went over the server's limit on memory (max_memory_usage)`);
    await source.close();
  });
});
