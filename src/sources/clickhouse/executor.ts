// Running a query: one interface and the same SQL whatever runs it. A server is reached over HTTP
// with the official client (`@clickhouse/client`); the tests drive the embedded engine (chDB,
// test/e2e/clickhouse/) through the same interface, so that what they prove is what a server runs.
import { createClient, ClickHouseError as ClientError, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { ServerError, serverErrorIn } from './errors.js';

/** Query parameters (`{name:Type}` in the SQL), bound by the engine: values never enter the SQL text. */
export type QueryParams = Record<string, string | number | readonly string[]>;

export interface QueryExecutor {
  /**
   * The result of a query (its SQL names its FORMAT) as bytes, streamed. Throws ServerError for
   * an error the engine answered with; `signal` aborts the request (and `cancel` the query).
   */
  stream(sql: string, params: QueryParams, options: { queryId: string; signal?: AbortSignal }): AsyncIterable<Uint8Array>;
  /** Stops a query on the server (Ctrl-C): closing the connection alone does not, for a query that is still reading. */
  cancel(queryId: string): Promise<void>;
  close(): Promise<void>;
}

/** A query's JSONEachRow result, read whole: for the small answers (columns, services, bounds). */
export async function queryRows<T>(executor: QueryExecutor, sql: string, params: QueryParams, queryId: string): Promise<T[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of executor.stream(`${sql} FORMAT JSONEachRow`, params, { queryId })) chunks.push(c);
  const text = Buffer.concat(chunks).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}

/**
 * A server's result stream, checked at its end: a query that fails after its first rows were sent
 * (a limit reached half-way) ends the HTTP body with the exception's text rather than an error status.
 */
async function* checkedTail(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  let tail = '';
  for await (const chunk of body) {
    const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    tail = b.byteLength >= 4096 ? b.subarray(b.byteLength - 4096).toString('latin1') : (tail + b.toString('latin1')).slice(-4096);
    yield chunk;
  }
  const at = tail.lastIndexOf('\nCode: ');
  if (at !== -1 || tail.startsWith('Code: ')) {
    const e = serverErrorIn(tail.slice(at + 1));
    if (e !== null) throw e;
  }
}

export interface HttpTarget {
  url: string;
  user: string;
  password: string;
  database: string;
}

/** A ClickHouse server over HTTP(S), through the official client. */
export class HttpExecutor implements QueryExecutor {
  private readonly client: ClickHouseClient;

  constructor(target: HttpTarget) {
    this.client = createClient({
      url: target.url,
      username: target.user,
      password: target.password,
      database: target.database,
      application: 'hindsight',
      request_timeout: 300_000,
      // Progress headers keep a long query's connection alive through load balancers' idle timeouts.
      clickhouse_settings: { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '60000' },
      // hindsight says what went wrong in one line of its own (errors.ts): the client's log would print the request.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  async *stream(sql: string, params: QueryParams, options: { queryId: string; signal?: AbortSignal }): AsyncIterable<Uint8Array> {
    let result;
    try {
      result = await this.client.exec({ query: sql, query_params: params, query_id: options.queryId, abort_signal: options.signal });
    } catch (e) {
      throw asServerError(e);
    }
    // The signal aborts a request; a response already streaming is ended here.
    const body = result.stream;
    const end = () => body.destroy();
    options.signal?.addEventListener('abort', end, { once: true });
    try {
      yield* checkedTail(body as AsyncIterable<Uint8Array>);
    } finally {
      options.signal?.removeEventListener('abort', end);
    }
  }

  async cancel(queryId: string): Promise<void> {
    await this.client.command({ query: 'KILL QUERY WHERE query_id = {id:String} ASYNC', query_params: { id: queryId } }).catch(() => {});
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** The client's error as the server's code and name, when it is one. */
function asServerError(e: unknown): unknown {
  if (e instanceof ClientError) return new ServerError(e.message, Number(e.code), e.type ?? '');
  return e;
}
