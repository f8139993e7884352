// PostgreSQL statistics gathered in the timeline's single pass, counted the way pgBadger counts.
// PLACEHOLDER: records by severity only; the PostgreSQL issue extends it (connections, sessions,
// checkpoints, autovacuum, temporary files, lock waits, deadlocks, durations, errors by SQLSTATE).
import type { LogEvent } from '../model.js';

export interface PostgresStatsSummary {
  records: number;
  bySeverity: Record<string, number>;
}

export class PostgresStats {
  private records = 0;
  private readonly bySeverity: Record<string, number> = {};

  add(ev: LogEvent): void {
    this.records++;
    const sev = ev.pg?.severity ?? ev.levelText;
    this.bySeverity[sev] = (this.bySeverity[sev] ?? 0) + 1;
  }

  summary(): PostgresStatsSummary {
    return { records: this.records, bySeverity: { ...this.bySeverity } };
  }
}
