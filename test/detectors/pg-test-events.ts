// PostgreSQL events for detector tests, the way the postgres formats deliver them.
import type { TestEvent } from '../helpers/timeline.js';

const LEVEL: Record<string, TestEvent['level']> = { LOG: 'info', WARNING: 'warn', ERROR: 'error', FATAL: 'fatal', PANIC: 'fatal' };

/** A PostgreSQL record: severity word, message, process id, extra fields (statement, detail, context). */
export function pgEvent(at: string | number, severity: string, message: string, pid = 100, extra: Partial<NonNullable<TestEvent['pg']>> = {}, service = 'Postgres'): TestEvent {
  return { at, message, source: 'postgres', service, level: LEVEL[severity] ?? 'info', levelText: severity, pg: { severity, pid, ...extra } };
}

/** An application record. */
export function appEvent(at: string | number, message: string, level: TestEvent['level'] = 'info', service = 'api', attrs?: Record<string, unknown>): TestEvent {
  const e: TestEvent = { at, message, level, service, source: 'app' };
  if (attrs) e.attrs = attrs;
  return e;
}

/** `base` plus `s` seconds, as epoch ms. */
export function plus(base: string, s: number): number {
  return Date.parse(base) + s * 1000;
}
