// What stops a read from ClickHouse, said in one line each (exit code 2): a server that cannot be
// reached, credentials it refuses, a table or column that is not there, a query over the server's
// limits. Every message is cleaned of the password, whatever its length (redact.ts knows only
// secrets of 8 characters or more).
import { InputError } from '../../ingest/input-error.js';

/** Why reading from ClickHouse stopped (exit code 2). */
export class ClickHouseError extends InputError {
  constructor(message: string) {
    super(scrub(message));
    this.name = 'ClickHouseError';
  }
}

/** An error the server (or the embedded engine) answered with: its code and name (`60`, `UNKNOWN_TABLE`). */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly type: string,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

/**
 * The server's error in a text (`Code: 60. DB::Exception: ... (UNKNOWN_TABLE) (version ...)`), or
 * null. The message may run over lines (a syntax error quotes the query); what follows the error's
 * name (a newer server's exception tag after a result cut short) is not part of it.
 */
export function serverErrorIn(text: string): ServerError | null {
  const at = text.lastIndexOf('Code: ');
  if (at === -1) return null;
  const tail = text.slice(at);
  const m = /^Code: (\d+)\. DB::Exception: ([^]*?) \(([A-Z][A-Z_0-9]+)\)(?: \(version [^\n]*\))?[ \t]*(?:\r?\n|$)/.exec(tail) ?? /^Code: (\d+)\. DB::Exception: ([^\n]*)/.exec(tail);
  return m === null ? null : new ServerError(m[2]!.trim(), Number(m[1]), m[3] ?? '');
}

const secrets: string[] = [];

/** A password to clean from every ClickHouse message. */
export function scrubSecret(value: string): void {
  if (value.length > 0 && !secrets.includes(value)) secrets.push(value);
}

function scrub(text: string): string {
  let s = text;
  for (const v of secrets) s = s.split(v).join('[REDACTED]');
  return s;
}

/** The server's limits a query can run into, by error name, and what each is. */
const LIMITS: Record<string, string> = {
  MEMORY_LIMIT_EXCEEDED: 'memory (max_memory_usage)',
  TIMEOUT_EXCEEDED: 'time (max_execution_time)',
  TOO_SLOW: 'speed (min_execution_speed)',
  TOO_MANY_ROWS: 'rows read (max_rows_to_read)',
  TOO_MANY_BYTES: 'bytes read (max_bytes_to_read)',
  TOO_MANY_ROWS_OR_BYTES: 'rows or bytes (max_rows_to_read / max_result_rows)',
  TOO_MANY_SIMULTANEOUS_QUERIES: 'concurrent queries (max_concurrent_queries)',
  QUOTA_EXCEEDED: 'quota',
  QUOTA_EXPIRED: 'quota',
};

const REFUSED = new Set(['AUTHENTICATION_FAILED', 'REQUIRED_PASSWORD', 'WRONG_PASSWORD', 'UNKNOWN_USER', 'IP_ADDRESS_NOT_ALLOWED']);
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

export interface ErrorContext {
  /** The target as shown (clickhouse://user@host:port/db?table=t). */
  shown: string;
  url: string;
  user: string;
  table: string;
  /** Where the password came from, if from anywhere. */
  passwordFrom: string | null;
}

/** The one line for an error met while talking to ClickHouse. */
export function explain(e: unknown, at: ErrorContext): ClickHouseError {
  if (e instanceof ClickHouseError) return e;
  if (e instanceof ServerError) {
    const first = e.message.split('\n')[0]!.slice(0, 300);
    if (REFUSED.has(e.type) || e.code === 516)
      return new ClickHouseError(`ClickHouse at ${at.url} refused user ${at.user}: wrong user or password (${at.passwordFrom === null ? 'no password given: put it in the URL or in HINDSIGHT_CLICKHOUSE_PASSWORD' : `the password came from ${at.passwordFrom}`})`);
    if (e.type === 'UNKNOWN_TABLE' || e.type === 'UNKNOWN_DATABASE') return new ClickHouseError(`${at.shown}: no such ${e.type === 'UNKNOWN_TABLE' ? 'table' : 'database'} (${first}); name the table with ?table= and the database in the path`);
    if (e.type === 'ACCESS_DENIED') return new ClickHouseError(`${at.shown}: user ${at.user} may not read it (${first})`);
    const limit = LIMITS[e.type];
    if (limit !== undefined) return new ClickHouseError(`the query on ${at.shown} went over the server's limit on ${limit} (${e.type}: ${first}): narrow it with --since/--until or --service`);
    return new ClickHouseError(`ClickHouse error ${e.code}${e.type ? ` ${e.type}` : ''} on ${at.shown}: ${first}`);
  }
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err?.code ?? err?.cause?.code;
  if ((code !== undefined && UNREACHABLE.has(code)) || /socket hang up|Timeout error|connect /i.test(err?.message ?? ''))
    return new ClickHouseError(`cannot reach ClickHouse at ${at.url} (${code ?? err.message}): is the server up, and is that its HTTP port (8123; 8443 with clickhouses://)?`);
  return new ClickHouseError(`reading ${at.shown} failed: ${(err?.message ?? String(e)).split('\n')[0]}`);
}
