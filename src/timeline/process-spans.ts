// The processes of each service, told apart by the `pid` a structured logger writes on every line
// (pino, bunyan: `"pid": 24758`): when each first and last wrote. The lifecycle (detectors/shared/
// lifecycle.ts) reads which process a stop or a crash line without a pid of its own belongs to: the
// one that went quiet there, not the replica that wrote on. Bounded: a pid per process life, capped.
import { ownString } from '../own-string.js';

/** One process of a service: the first and the last time a line of it carried its pid. */
export interface ProcessSpan {
  service: string;
  pid: number;
  first: number;
  last: number;
  lines: number;
}

/** A part's spans in order of first line, and its lines of processes not kept. */
export interface ProcessSpansPartial {
  spans: ProcessSpan[];
  dropped: number;
}

/** Processes kept at most; the pids past it are counted, not kept. */
const MAX_SPANS = 10_000;

export class ProcessSpans {
  private readonly spans = new Map<string, ProcessSpan>();
  /** Lines of processes not kept (past MAX_SPANS). */
  dropped = 0;

  /** A line of `service` stamped `ts` whose attributes carry `pid` (not a number: ignored). */
  see(service: string, pid: unknown, ts: number): void {
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return;
    const key = service + '\u0000' + pid;
    const s = this.spans.get(key);
    if (s !== undefined) {
      if (ts < s.first) s.first = ts;
      if (ts > s.last) s.last = ts;
      s.lines++;
    } else if (this.spans.size < MAX_SPANS) this.spans.set(key, { service: ownString(service, Infinity), pid, first: ts, last: ts, lines: 1 });
    else this.dropped++;
  }

  /** The spans so far and the lines not kept, as plain data (see Timeline.partial). */
  partial(): ProcessSpansPartial {
    return { spans: [...this.spans.values()].map((s) => ({ ...s })), dropped: this.dropped };
  }

  /** Adds the spans of a later part of the input (its partial()), as if its lines came now. */
  absorb(p: ProcessSpansPartial): void {
    this.dropped += p.dropped;
    for (const b of p.spans) {
      const key = b.service + '\u0000' + b.pid;
      const s = this.spans.get(key);
      if (s !== undefined) {
        if (b.first < s.first) s.first = b.first;
        if (b.last > s.last) s.last = b.last;
        s.lines += b.lines;
      } else if (this.spans.size < MAX_SPANS) this.spans.set(key, { ...b });
      else this.dropped += b.lines;
    }
  }

  /** The spans, by service, each list by first line. */
  summary(): ProcessSpan[] {
    return [...this.spans.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.first - b.first));
  }
}
