// What `clickhouse://[user[:password]@]host[:port]/database?table=otel_logs` names: the server's
// HTTP endpoint, who to be there, the table, and which of its columns hold a record's time,
// service, level, message and attributes. The password comes from the URL or from
// HINDSIGHT_CLICKHOUSE_PASSWORD, and is registered with the redaction every output goes through.
import { ClickHouseError, scrubSecret } from './errors.js';
import { registerSecret } from '../../redact.js';

/** The variable a password may come from instead of the URL. */
export const PASSWORD_VARIABLE = 'HINDSIGHT_CLICKHOUSE_PASSWORD';

/** Which column holds what (an empty name: the table has no such column). */
export interface ColumnMap {
  time: string;
  service: string;
  level: string;
  message: string;
  attributes: string;
  /** OpenTelemetry's severity number, read when the level column is empty (the default layout only). */
  severityNumber: string;
}

/**
 * The layout of the OpenTelemetry collector's ClickHouse exporter (`otel_logs`; the DDL is in
 * docs/clickhouse.md): what hindsight reads when the URL names no columns.
 */
export const OTEL_COLUMNS: ColumnMap = { time: 'Timestamp', service: 'ServiceName', level: 'SeverityText', message: 'Body', attributes: 'LogAttributes', severityNumber: 'SeverityNumber' };

/** The URL's parameters that name a column, and what each holds (for errors and docs). */
export const COLUMN_PARAMETERS: Record<Exclude<keyof ColumnMap, 'severityNumber'>, string> = {
  time: 'the record time (DateTime or DateTime64)',
  service: 'the service name (empty: the table name)',
  level: 'the level word (empty: none, the level is read from the message)',
  message: 'the message',
  attributes: 'the attributes, a Map(String, String) (empty: none)',
};

export interface ClickHouseTarget {
  /** The HTTP(S) endpoint, without credentials. */
  url: string;
  user: string;
  password: string;
  /** Where the password came from, to name in messages (never its value). */
  passwordFrom: 'the URL' | typeof PASSWORD_VARIABLE | null;
  database: string;
  table: string;
  columns: ColumnMap;
  /** The target as shown in messages and the report: the URL without its password. */
  shown: string;
}

/** Whether an input names a ClickHouse table rather than a file. */
export function isClickHouseUrl(input: string): boolean {
  return /^clickhouses?:\/\//i.test(input);
}

/**
 * Reads the URL. `clickhouse://` is HTTP (port 8123 by default), `clickhouses://` HTTPS (8443);
 * the database defaults to `default`, the table to `otel_logs`, the user to `default`.
 * Column parameters (`time`, `service`, `level`, `message`, `attributes`) name another layout's columns.
 */
export function parseClickHouseUrl(input: string, env: NodeJS.ProcessEnv = process.env): ClickHouseTarget {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new ClickHouseError(`not a ClickHouse URL: expected clickhouse://[user[:password]@]host[:port]/database?table=otel_logs`);
  }
  const secure = u.protocol.toLowerCase() === 'clickhouses:';
  if (!u.hostname) throw new ClickHouseError('the ClickHouse URL names no host: clickhouse://[user[:password]@]host[:port]/database?table=otel_logs');
  const user = u.username ? decodeURIComponent(u.username) : 'default';
  const fromUrl = u.password ? decodeURIComponent(u.password) : '';
  const fromEnv = env[PASSWORD_VARIABLE] ?? '';
  const password = fromUrl || fromEnv;
  if (password) {
    registerSecret(password);
    scrubSecret(password);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, '')) || 'default';
  if (database.includes('/')) throw new ClickHouseError(`the ClickHouse URL's path names one database: got ${database}`);
  const columns: ColumnMap = { ...OTEL_COLUMNS };
  let table = 'otel_logs';
  let custom = false;
  for (const [key, value] of u.searchParams) {
    if (key === 'table') {
      if (!value) throw new ClickHouseError('?table= in the ClickHouse URL is empty: name the table of logs (default otel_logs)');
      table = value;
    } else if (key in COLUMN_PARAMETERS) {
      if (!value && (key === 'time' || key === 'message')) throw new ClickHouseError(`?${key}= in the ClickHouse URL is empty: a table of logs needs ${COLUMN_PARAMETERS[key as keyof typeof COLUMN_PARAMETERS]}`);
      columns[key as keyof typeof COLUMN_PARAMETERS] = value;
      if (key === 'level') custom = true;
    } else throw new ClickHouseError(`unknown parameter ?${key}= in the ClickHouse URL: it takes table, ${Object.keys(COLUMN_PARAMETERS).join(', ')} (docs/clickhouse.md)`);
  }
  // The severity number is OpenTelemetry's: another level column comes without it.
  if (custom) columns.severityNumber = '';
  const port = u.port || (secure ? '8443' : '8123');
  const url = `${secure ? 'https' : 'http'}://${u.hostname}:${port}`;
  const shown = `${secure ? 'clickhouses' : 'clickhouse'}://${u.username ? `${u.username}@` : ''}${u.hostname}:${port}/${database}?table=${table}`;
  return { url, user, password, passwordFrom: fromUrl ? 'the URL' : fromEnv ? PASSWORD_VARIABLE : null, database, table, columns, shown };
}

/** A ClickHouse identifier, quoted (backticks, with backticks and backslashes escaped). */
export function quoteIdentifier(name: string): string {
  return '`' + name.replace(/[\\`]/g, (c) => '\\' + c) + '`';
}
