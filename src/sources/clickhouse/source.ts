// A ClickHouse table as hindsight's input: its columns checked against the column map (one line
// naming a missing column and the URL parameter that names another), the newest record's time
// for --since/--until counted back from it, and one input per service, streamed as Railway-JSON
// lines that the server writes. Ctrl-C (the signal) stops the server's query, not only the read.
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { ClickHouseError, explain } from './errors.js';
import { queryRows, type QueryExecutor } from './executor.js';
import { COLUMN_PARAMETERS, type ClickHouseTarget, type ColumnMap } from './target.js';
import type { StreamInput } from '../../pipeline.js';
import { linesQuery, newestQuery, servicesQuery, tableOf, whereOf, type Selection } from './queries.js';

export class ClickHouseSource {
  private readonly from: string;

  constructor(
    readonly target: ClickHouseTarget,
    private readonly executor: QueryExecutor,
  ) {
    this.from = tableOf(target.database, target.table);
  }

  /** Checks that the table has the mapped columns, of types hindsight can read. */
  async check(): Promise<void> {
    const { database, table } = this.target;
    const columns = await this.rows<{ name: string; type: string }>('SELECT name, type FROM system.columns WHERE database = {database:String} AND table = {table:String} ORDER BY position', { database, table });
    // What a user may not see is not there for it either.
    if (columns.length === 0) throw new ClickHouseError(`${this.target.shown}: no such table, or user ${this.target.user} may not read it; name the table with ?table= and the database in the path`);
    const types = new Map(columns.map((c) => [c.name, c.type]));
    const c = this.target.columns;
    for (const key of Object.keys(COLUMN_PARAMETERS) as (keyof typeof COLUMN_PARAMETERS)[]) {
      const name = c[key];
      if (name === '') continue;
      const type = types.get(name);
      if (type === undefined) {
        const names = columns.map((x) => x.name);
        throw new ClickHouseError(`${this.target.shown} has no column ${name} (${COLUMN_PARAMETERS[key]}): name it with ?${key}=<column> in the URL${key === 'level' || key === 'attributes' || key === 'service' ? `, or ?${key}= for none` : ''} (its columns: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''}; docs/clickhouse.md)`);
      }
      if (key === 'time' && !/^(Nullable\()?DateTime/.test(type)) throw new ClickHouseError(`${this.target.shown}: the time column ${name} is ${type}, not a DateTime or DateTime64: name another with ?time=<column> (docs/clickhouse.md)`);
      if (key === 'attributes' && !type.startsWith('Map(')) throw new ClickHouseError(`${this.target.shown}: the attributes column ${name} is ${type}, not a Map: name another with ?attributes=<column>, or ?attributes= for none (docs/clickhouse.md)`);
    }
    if (c.severityNumber !== '' && !types.has(c.severityNumber)) c.severityNumber = '';
  }

  /** The newest record's time (epoch ms) among the services, or null when there is none. */
  async newest(services: readonly string[]): Promise<number | null> {
    const { where, params } = whereOf(this.target.columns, { services });
    const [row] = await this.rows<{ newest: number | string; records: number | string }>(newestQuery(this.target.columns, this.from, where), params);
    return row === undefined || Number(row.records) === 0 ? null : Number(row.newest);
  }

  /** The services with records in the selection and how many each has. */
  async services(selection: Selection): Promise<{ service: string; records: number }[]> {
    const { where, params } = whereOf(this.target.columns, selection);
    const rows = await this.rows<{ service: string; records: number | string }>(servicesQuery(this.target.columns, this.from, where), params);
    return rows.map((r) => ({ service: r.service, records: Number(r.records) }));
  }

  /** One input per service, each streaming that service's records in the selection, oldest first. */
  inputs(services: readonly string[], selection: Selection, signal: AbortSignal): StreamInput[] {
    const c: ColumnMap = this.target.columns;
    const { where, params } = whereOf(c, selection);
    const sql = linesQuery(c, this.from, where, c.service !== '');
    return services.map((service) => ({
      name: `clickhouse:${this.target.table}${c.service !== '' ? `/${service}` : ''}`,
      service: service || this.target.table,
      open: () => Readable.from(this.guarded(sql, c.service !== '' ? { ...params, service } : params, signal), { objectMode: false }),
    }));
  }

  close(): Promise<void> {
    return this.executor.close();
  }

  private async rows<T>(sql: string, params: Record<string, string | number | readonly string[]>): Promise<T[]> {
    try {
      return await queryRows<T>(this.executor, sql, params, randomUUID());
    } catch (e) {
      throw explain(e, this.target);
    }
  }

  /** A query's stream, with its errors explained and Ctrl-C cancelling it on the server. */
  private async *guarded(sql: string, params: Record<string, string | number | readonly string[]>, signal: AbortSignal): AsyncIterable<Uint8Array> {
    const queryId = randomUUID();
    const cancel = () => void this.executor.cancel(queryId);
    signal.addEventListener('abort', cancel, { once: true });
    try {
      for await (const chunk of this.executor.stream(sql, params, { queryId, signal })) yield chunk;
    } catch (e) {
      // Stopped on purpose: what was read is kept, as for a file.
      if (signal.aborted) return;
      throw explain(e, this.target);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }
}
