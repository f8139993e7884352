// The SQL hindsight sends to ClickHouse, built from the column map: the window and services as
// one WHERE clause (bound parameters, never text in the SQL), and the records of one service as
// Railway-JSON lines made by the server, which ingest's railway-json reads as it reads a pulled file.
import { quoteIdentifier, type ColumnMap } from './target.js';
import type { QueryParams } from './executor.js';

/** Which records: a window (epoch ms, both ends included, as for files) and services (none: all). */
export interface Selection {
  since?: number;
  until?: number;
  services?: readonly string[];
}

/** The WHERE clause of a selection (with `1` when it selects everything) and its parameters. */
export function whereOf(c: ColumnMap, s: Selection): { where: string; params: QueryParams } {
  const parts: string[] = [];
  const params: QueryParams = {};
  const time = quoteIdentifier(c.time);
  if (s.since !== undefined) {
    parts.push(`${time} >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')`);
    params.since = s.since;
  }
  if (s.until !== undefined) {
    // Before the next millisecond: a record's time is read to the millisecond from a file, so
    // 12:00:00.0005 is at 12:00:00.000 there, inside a window that ends then.
    parts.push(`${time} < fromUnixTimestamp64Milli({until:Int64}, 'UTC')`);
    params.until = s.until + 1;
  }
  if (s.services !== undefined && s.services.length > 0 && c.service !== '') {
    parts.push(`toString(${quoteIdentifier(c.service)}) IN {services:Array(String)}`);
    params.services = s.services;
  }
  return { where: parts.length === 0 ? '1' : parts.join(' AND '), params };
}

/** `database`.`table`. */
export function tableOf(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

/** The records per service (one row for the whole table when it has no service column). */
export function servicesQuery(c: ColumnMap, from: string, where: string): string {
  const service = c.service === '' ? "''" : `toString(${quoteIdentifier(c.service)})`;
  return `SELECT ${service} AS service, count() AS records FROM ${from} WHERE ${where} GROUP BY service ORDER BY service`;
}

/** The newest record's time (epoch ms) and the count, for --since/--until counted back from it. */
export function newestQuery(c: ColumnMap, from: string, where: string): string {
  return `SELECT toUnixTimestamp64Milli(max(toDateTime64(${quoteIdentifier(c.time)}, 3, 'UTC'))) AS newest, count() AS records FROM ${from} WHERE ${where}`;
}

/** The level word: the level column, else OpenTelemetry's severity number in words (its ranges: 1-4 trace ... 21-24 fatal). */
function levelExpression(c: ColumnMap): string | null {
  if (c.level === '') return null;
  const text = `toString(${quoteIdentifier(c.level)})`;
  if (c.severityNumber === '') return text;
  const n = quoteIdentifier(c.severityNumber);
  return `multiIf(${text} != '', ${text}, ${n} >= 21, 'fatal', ${n} >= 17, 'error', ${n} >= 13, 'warn', ${n} >= 9, 'info', ${n} >= 5, 'debug', ${n} >= 1, 'trace', '')`;
}

/**
 * One service's records, oldest first, each as the line `hindsight pull railway` writes
 * (sources/railway/lines.ts): message, timestamp (RFC 3339, microseconds), level, service, and
 * every attribute at the top level, its value JSON when it is valid JSON on one line (as Railway's
 * CLI parses attribute values), else a string. Format TSVRaw: the line as it is, one per row.
 */
export function linesQuery(c: ColumnMap, from: string, where: string, withService: boolean): string {
  const q = quoteIdentifier;
  const level = levelExpression(c);
  const parts = [`'{"message":'`, `toJSONString(toString(${q(c.message)}))`, `',"timestamp":"'`, `formatDateTime(${q(c.time)}, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC')`, `'"'`];
  if (level !== null) parts.push(`if(hindsight_level != '', concat(',"level":', toJSONString(hindsight_level)), '')`);
  if (c.service !== '') parts.push(`',"service":'`, `toJSONString(toString(${q(c.service)}))`);
  if (c.attributes !== '') {
    parts.push(
      `arrayStringConcat(arrayMap((k, v) -> concat(',', toJSONString(toString(k)), ':', if(isValidJSON(v) AND position(v, '\\n') = 0 AND position(v, '\\r') = 0, v, toJSONString(v))), mapKeys(hindsight_attributes), mapValues(hindsight_attributes)))`,
    );
  }
  parts.push(`'}'`);
  // Named so as not to shadow a column (a table's time column may well be `at`).
  // An attribute of the same name as a field the line has from a column is left out (the column's
  // is the record's); without a level or service column, an attribute may give them.
  const own = ["'message'", "'timestamp'", ...(level !== null ? ["'level'"] : []), ...(c.service !== '' ? ["'service'"] : [])].join(', ');
  const lets = [level !== null ? `${level} AS hindsight_level` : null, c.attributes !== '' ? `mapFilter((k, v) -> toString(k) NOT IN (${own}), ${q(c.attributes)}) AS hindsight_attributes` : null].filter((x) => x !== null);
  const scope = withService && c.service !== '' ? ` AND toString(${q(c.service)}) = {service:String}` : '';
  return `${lets.length > 0 ? `WITH ${lets.join(', ')} ` : ''}SELECT concat(${parts.join(', ')}) AS line FROM ${from} WHERE ${where}${scope} ORDER BY ${q(c.time)} SETTINGS output_format_json_escape_forward_slashes = 0 FORMAT TSVRaw`;
}
