// Amazon RDS / Aurora PostgreSQL logs from CloudWatch Logs (log group
// `/aws/rds/instance/<db>/postgresql` or `/aws/rds/cluster/<cluster>/postgresql`), as the AWS CLI
// prints them: `aws logs filter-log-events ... --output json` or `aws logs get-log-events`, a JSON
// document `{"events": [{"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}], ...}`
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html),
// or those events one JSON object a line (`jq -c '.events[]'`). Each `message` is a line of RDS's
// stderr log, prefix `%t:%r:%u@%d:[%p]:`. (The same group exported to S3, `<time> <message>` lines,
// and RDS's own log files are read by the postgres format, as pgBadger's rds format reads them.)
import type { InputFormat, LineParser, ParseContext } from '../format.js';
import { isJsonObject } from '../format.js';
import { JsonDocumentReader, headText, firstLineValue } from '../json-documents.js';
import { parsePgLine } from '../postgres-line.js';
import { PgEntryText } from '../pg-entry-text.js';
import { epochToMs } from '../timestamp.js';

type Obj = Record<string, unknown>;

/** A line holding an event's "message" key, in a document printed one key a line. */
const MESSAGE_KEY = /^\s*"message"\s*:/;

/** A CloudWatch log event: a message, a timestamp in ms, and one of the keys only CloudWatch writes. */
function isLogEvent(v: unknown): v is Obj {
  return isJsonObject(v) && typeof v.message === 'string' && typeof v.timestamp === 'number' && ('ingestionTime' in v || 'eventId' in v || 'logStreamName' in v);
}

export const awsCloudwatch: InputFormat = {
  id: 'aws-cloudwatch',
  title: 'Amazon RDS / Aurora PostgreSQL from CloudWatch Logs (aws logs filter-log-events / get-log-events JSON)',
  recognisedBy: 'a JSON document with "events" of {"timestamp", "message", "ingestionTime"/"eventId"/"logStreamName"}, or such events one a line, whose messages are PostgreSQL lines',
  example: '{"logStreamName":"shop-db","timestamp":1714644000123,"message":"2024-05-02 10:00:00 UTC:10.0.1.5(52345):app@shop:[1234]:LOG:  connection authorized: user=app database=shop","ingestionTime":1714644000935,"eventId":"3762..."}',
  sniff(lines) {
    const v = firstLineValue(lines);
    if (v !== undefined) {
      const ok = isLogEvent(v) ? parsePgLine(v.message as string) !== null : isJsonObject(v) && Array.isArray(v.events) && v.events.some(isLogEvent);
      return ok ? { score: 0.97, reason: 'CloudWatch log events (timestamp, message, ingestionTime) carrying PostgreSQL lines' } : { score: 0, reason: 'not CloudWatch log events' };
    }
    const text = headText(lines);
    if (text.trimStart().charCodeAt(0) !== 123 || !/"events"\s*:\s*\[/.test(text) || !/"(?:ingestionTime|eventId|logStreamName)"\s*:/.test(text)) return { score: 0, reason: 'not a CloudWatch events document' };
    return { score: 0.95, reason: 'a JSON document of CloudWatch log events ("events", "ingestionTime")' };
  },
  create(ctx: ParseContext): LineParser {
    const { sink, service, input } = ctx;
    const entries = new PgEntryText(sink);
    let notPg = 0;
    // Records take no lines of their own: the reader counts a document's lines as consumed.
    const add = (e: Obj, line: number): boolean => entries.add(e.message as string, epochToMs(e.timestamp as number) || null, service, input, line, 0);
    const reader = new JsonDocumentReader(sink, 'CloudWatch', (doc) => {
      const v = doc.value;
      if (isLogEvent(v)) return add(v, doc.firstLine) ? null : 'CloudWatch event whose message is not a PostgreSQL log line';
      if (!isJsonObject(v) || !Array.isArray(v.events)) return 'JSON document without CloudWatch "events"';
      // Each event at the line of its "message" when the document is printed one key a line (as
      // the CLI prints it): records of the same second keep their order, evidence its line.
      const at: number[] = [];
      doc.text.forEach((l, i) => {
        if (MESSAGE_KEY.test(l)) at.push(doc.firstLine + i);
      });
      const placed = at.length === v.events.length;
      v.events.forEach((e, k) => {
        if (!isLogEvent(e) || !add(e, placed ? at[k]! : doc.firstLine)) notPg++;
      });
      return null;
    });
    return {
      line: (text, lineNo) => reader.line(text, lineNo),
      end() {
        reader.end();
        entries.flush();
        if (notPg > 0) sink.warn?.(notPg === 1 ? '1 CloudWatch event is not a PostgreSQL log line (left out)' : `${notPg} CloudWatch events are not PostgreSQL log lines (left out)`);
      },
    };
  },
};
