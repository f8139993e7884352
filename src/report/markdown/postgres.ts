// The PostgreSQL block at the end of the dashboard: records by severity, the server's counters
// (connections, checkpoints, lock waits, cancellations, ...) and the slowest statements.
import type { TimelineSummary } from '../../timeline/timeline.js';
import { cell, code, prose, shorten } from '../markdown-text.js';
import { int, minuteOf, num, plural } from '../../words.js';

export function postgresBlock(t: TimelineSummary, n: number): string[] {
  const pg = t.postgres;
  const out: string[] = [`### 2.${n} PostgreSQL`, ''];
  const sev = pg.bySeverityRaw ?? pg.bySeverity;
  const order = ['PANIC', 'FATAL', 'ERROR', 'WARNING', 'NOTICE', 'LOG', 'INFO', 'DEBUG'];
  const keys = Object.keys(sev).filter((k) => sev[k]! > 0).sort((a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || (a < b ? -1 : 1);
  });
  out.push(`${plural(pg.records, 'PostgreSQL record')}${keys.length > 0 ? `: ${keys.map((k) => `${prose(k)} ${int(sev[k]!)}`).join(', ')}` : ''}.`, '');
  const rows: [string, string][] = [];
  const add = (label: string, v: number | undefined, detail = '') => {
    if (v !== undefined && v > 0) rows.push([label, int(v) + detail]);
  };
  add('Connections authorized', pg.connections);
  add('Sessions (disconnections)', pg.sessions);
  add('Peak concurrent sessions', pg.peakSessions?.count, pg.peakSessions?.ts != null ? ` at ${minuteOf(pg.peakSessions.ts)}` : '');
  add('Server starts', pg.serverStarts);
  add('Client connections lost (resets)', pg.clientResets);
  add('Too many clients', pg.tooManyClients);
  add('Checkpoints completed', pg.checkpoints?.completed);
  add('Checkpoint warnings', pg.checkpoints?.warnings);
  add('Autovacuum runs', pg.autovacuum);
  add('Autoanalyze runs', pg.autoanalyze);
  add('Temporary files', pg.tempFiles?.count, pg.tempFiles ? `, ${num(pg.tempFiles.totalBytes / 1048576, 1)} MB in all` : '');
  add('Lock waits acquired', pg.lockWaits?.acquired, pg.lockWaits ? `, longest ${num(pg.lockWaits.maxWaitMs, 0)} ms` : '');
  add('Lock waits still pending when logged', pg.lockWaits?.stillWaiting);
  add('Deadlocks', pg.deadlocks);
  add('Cancelled by statement_timeout', pg.cancelled?.statementTimeout);
  add('Cancelled by lock_timeout', pg.cancelled?.lockTimeout);
  add('Cancelled by user request', pg.cancelled?.userRequest);
  add('Ended by idle_in_transaction_session_timeout', pg.terminated?.idleInTransactionTimeout);
  add('Ended by idle_session_timeout', pg.terminated?.idleSessionTimeout);
  add('Ended by an administrator', pg.terminated?.administrator);
  add('Queries with a logged duration', pg.queries?.withDuration, pg.queries ? `, ${num(pg.queries.totalMs / 1000, 1)} s in all` : '');
  const sqlstates = Object.entries(pg.errorsBySqlstate ?? {}).filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (sqlstates.length > 0) rows.push(['Errors by SQLSTATE', sqlstates.slice(0, 8).map(([k, c]) => `${k} ${int(c)}`).join(', ')]);
  if (rows.length > 0) out.push('| What | Count |', '|---|---:|', ...rows.map(([a, b]) => `| ${cell(a)} | ${cell(b)} |`), '');
  const top = (pg.statements ?? []).slice(0, 5);
  if (top.length > 0) {
    out.push('Slowest statements by total time:', '');
    out.push('| Count | Total | Mean | Max | Statement |', '|---:|---:|---:|---:|---|');
    for (const st of top) out.push(`| ${int(st.count)} | ${num(st.totalMs / 1000, 1)} s | ${num(st.meanMs, 0)} ms | ${num(st.maxMs, 0)} ms | ${code(shorten(st.statement, 120)).replace(/\|/g, '\\|')} |`);
    out.push('');
  }
  return out;
}
