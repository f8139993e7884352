// Multi-line application records: a Python traceback, a JavaScript stack, indented continuation
// lines. Each line of such a record arrives on its own (Railway even makes each a JSON object);
// they are joined into the record they belong to, so a traceback is one event, not twenty.
import type { LogEvent } from '../model.js';
import type { EventSink } from './format.js';

const TRACEBACK = 'Traceback (most recent call last):';
const CHAINED = /^(During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)$/;
// The last line of a Python traceback: `ValueError: bad`, `asyncio.exceptions.TimeoutError`.
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Timeout|Warning|Cancelled|Failure)\b(?::.*)?$/;

/**
 * Whether `message` continues `held` (the record before it) rather than starting a record.
 * `hasTraceback` may be passed when the caller already knows whether `held` holds a traceback.
 */
export function continuesRecord(message: string, held: LogEvent, hasTraceback?: boolean): boolean {
  const tb = hasTraceback ?? held.message.indexOf(TRACEBACK) !== -1;
  if (message.length === 0) return tb && !endedTraceback(held.message);
  const c = message.charCodeAt(0);
  if (c === 32 || c === 9) return true;
  if (c === 84 /* T */ && message === TRACEBACK) return true;
  if (c === 67 /* C */ && message.startsWith('Caused by: ')) return true;
  if (tb && !endedTraceback(held.message)) {
    return EXCEPTION_LINE.test(message) || CHAINED.test(message) || message.startsWith(TRACEBACK);
  }
  return false;
}

function endedTraceback(text: string): boolean {
  // A traceback ends at its exception line: the last line is not indented and not a header.
  const nl = text.lastIndexOf('\n');
  const last = nl === -1 ? text : text.slice(nl + 1);
  if (last.length === 0) return false;
  const c = last.charCodeAt(0);
  if (c === 32 || c === 9) return false;
  return !(last === TRACEBACK || CHAINED.test(last));
}

/**
 * Whether `message` may continue a record at all, whatever the record holds: false for most
 * messages, before anybody searches the held record for a traceback. A superset of what
 * continuesRecord accepts: an indented line, a line starting with T (Traceback, The above...),
 * C (Caused by), D (During handling), or an exception line (`ValueError: bad`: a dotted name,
 * then a colon or the end).
 */
function mayContinue(message: string): boolean {
  const n = message.length;
  if (n === 0) return true;
  const c = message.charCodeAt(0);
  if (c === 32 || c === 9 || c === 84 || c === 67 || c === 68) return true;
  if (!(((c | 32) >= 97 && (c | 32) <= 122) || c === 95)) return false;
  for (let i = 1; i < n; i++) {
    const d = message.charCodeAt(i);
    if (((d | 32) >= 97 && (d | 32) <= 122) || (d >= 48 && d <= 57) || d === 95 || d === 46) continue;
    return d === 58;
  }
  return true;
}

/** Holds the latest record so that continuation lines can join it, then hands it to the sink. */
export class HeldRecord {
  private ev: LogEvent | null = null;
  private lines = 0;
  /**
   * Whether the held record holds a traceback header: 1 or 0, -1 until a line that may continue
   * the record asks (most lines do not, and the search costs a scan of the whole message).
   */
  private traceback = -1;

  constructor(private readonly sink: EventSink, private readonly maxGapMs = 2000) {}

  /** Joins `message` to the held record when it continues it; returns false when it does not. */
  tryJoin(message: string, ts: number | null, service: string): boolean {
    const h = this.ev;
    if (h === null || h.service !== service) return false;
    if (ts !== null && h.ts !== null && Math.abs(ts - h.ts) > this.maxGapMs) return false;
    if (!mayContinue(message)) return false;
    if (this.traceback === -1) this.traceback = h.message.indexOf(TRACEBACK) !== -1 ? 1 : 0;
    if (!continuesRecord(message, h, this.traceback === 1)) return false;
    h.message += '\n' + message;
    if (this.traceback === 0 && message.startsWith(TRACEBACK)) this.traceback = 1;
    this.lines++;
    return true;
  }

  /** Emits the held record (if any) and holds `ev` instead. */
  hold(ev: LogEvent): void {
    this.flush();
    this.ev = ev;
    this.lines = 1;
    this.traceback = -1;
  }

  flush(): void {
    if (this.ev !== null) {
      this.sink.event(this.ev, this.lines);
      this.ev = null;
      this.lines = 0;
    }
  }
}
