// The lines `hindsight pull railway` writes: the shape `railway logs --json` prints (message,
// timestamp, every attribute flattened to the top level, its value JSON-parsed when it parses,
// else the string with surrounding quotes trimmed; railwayapp/cli src/util/logs.rs), plus what the
// CLI leaves out: the entry's `severity`, and its tags resolved to names (`service`) and ids
// (`serviceId`, `deploymentId`, `deploymentInstanceId`). railway-json reads them as they are.
import type { ApiHttpLog, ApiLog } from './queries.js';

/** An attribute value as the CLI prints it. */
function attributeValue(v: string): unknown {
  const c = v.charCodeAt(0);
  // Only what can open JSON is tried (most values are plain words).
  if (c === 123 || c === 91 || c === 34 || c === 45 || (c >= 48 && c <= 57) || v === 'true' || v === 'false' || v === 'null') {
    try {
      return JSON.parse(v);
    } catch {
      // Not JSON after all: kept as text.
    }
  }
  return v.length >= 2 && c === 34 && v.charCodeAt(v.length - 1) === 34 ? v.slice(1, -1) : v;
}

/** One log entry as a Railway-JSON line (without the newline). */
export function logLine(log: ApiLog, service: string): string {
  const o: Record<string, unknown> = { message: log.message, timestamp: log.timestamp };
  for (const a of log.attributes ?? []) o[a.key] = attributeValue(a.value);
  if (log.severity) o.severity = log.severity;
  o.service = service;
  const t = log.tags;
  if (t?.serviceId) o.serviceId = t.serviceId;
  if (t?.deploymentId) o.deploymentId = t.deploymentId;
  if (t?.deploymentInstanceId) o.deploymentInstanceId = t.deploymentInstanceId;
  return JSON.stringify(o);
}

/** One HTTP log entry as a line railway-http reads, named with its service. */
export function httpLine(log: ApiHttpLog, service: string): string {
  return JSON.stringify({ ...log, service });
}
