// Railway-JSON lines into an otel_logs table, as a log shipper forwarding Railway's logs to the
// OpenTelemetry collector's ClickHouse exporter stores them: the message in Body, the time in
// Timestamp, the level in SeverityText, the service in ServiceName (the file's name when the line
// has none, as hindsight names it), every other key in LogAttributes as text (JSON for non-strings).
import { serviceFromPath } from '../../../src/ingest/input-paths.js';

/** One otel_logs row (JSONEachRow) per Railway-JSON line. */
export function otelRows(text: string, path: string): string {
  const service = serviceFromPath(path);
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const o = JSON.parse(line) as Record<string, unknown>;
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) {
      if (k === 'message' || k === 'timestamp' || k === 'level' || k === 'service') continue;
      attributes[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    out.push(
      JSON.stringify({
        Timestamp: o.timestamp,
        SeverityText: typeof o.level === 'string' ? o.level : '',
        ServiceName: typeof o.service === 'string' && o.service !== '' ? o.service : service,
        Body: typeof o.message === 'string' ? o.message : JSON.stringify(o.message),
        LogAttributes: attributes,
      }),
    );
  }
  return out.join('\n') + '\n';
}
