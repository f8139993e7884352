// The embedded ClickHouse engine (chDB, installed in this folder by .ci/run: `npm ci --prefix
// test/e2e/clickhouse`) behind hindsight's QueryExecutor, the interface the HTTP client implements:
// the tests run the SQL a server would, through the same code. Loaded at run time, so that the unit
// suite and the type check do not need the engine.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServerError, serverErrorIn } from '../../../src/sources/clickhouse/errors.js';
import type { QueryExecutor, QueryParams } from '../../../src/sources/clickhouse/executor.js';

interface ChdbChunk {
  raw(): Uint8Array;
}
interface ChdbStream extends AsyncIterable<ChdbChunk> {
  cancel(): void;
}
interface ChdbSession {
  query(sql: string, format?: string): string;
  queryStreamBind(sql: string, params: object, opts?: { signal?: AbortSignal }): ChdbStream;
  insert(params: { table: string; values: string; format: 'JSONEachRow'; settings?: Record<string, string | number> }): Promise<unknown>;
  close(): void;
}
interface Chdb {
  Session: new (path?: string) => ChdbSession;
}

const here = import.meta.dirname;

/** chDB when it is installed here, else null (the tests that need it are skipped, and say why). */
export function loadChdb(): Chdb | null {
  try {
    return createRequire(join(here, 'package.json'))('chdb') as Chdb;
  } catch {
    return null;
  }
}

/** The otel_logs DDL of the OpenTelemetry collector's ClickHouse exporter (docs/clickhouse.md cites it). */
export const OTEL_LOGS_DDL = readFileSync(join(here, 'otel_logs.sql'), 'utf8');

/** A chDB session as a QueryExecutor; `stats` counts the bytes the engine handed back. */
export class ChdbExecutor implements QueryExecutor {
  readonly stats = { queries: 0, bytes: 0 };

  constructor(readonly session: ChdbSession) {}

  async *stream(sql: string, params: QueryParams, options: { queryId: string; signal?: AbortSignal }): AsyncIterable<Uint8Array> {
    this.stats.queries++;
    let s: ChdbStream;
    try {
      s = this.session.queryStreamBind(sql, params, { signal: options.signal });
      for await (const chunk of s) {
        const raw = chunk.raw();
        this.stats.bytes += raw.byteLength;
        yield raw;
      }
    } catch (e) {
      throw serverErrorIn((e as Error).message) ?? e;
    }
  }

  async cancel(): Promise<void> {
    // The stream stops at its signal: chDB runs in this process, there is no other query to kill.
  }

  async close(): Promise<void> {
    // The session outlives the run: the test owns it.
  }
}

export { ServerError };
