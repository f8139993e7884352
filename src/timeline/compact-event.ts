// Kept events outlive the line they came from. An event straight from ingest holds its whole raw
// line: the message and PostgreSQL fields are V8 slices of it, and Railway's attributes are a lazy
// view that parses the line on first read. Keeping 200,000 of those held ~500-580 bytes each
// (docs/PERFORMANCE.md, "Memory"). The timeline keeps a compact copy instead: attributes as a
// plain object of scalars, strings copied so that they no longer point into the line, long ones
// capped with a marker.
import { PLAIN_ATTRS, type LogEvent, type PgFields } from '../model.js';
import { CUT_MARKER, MIN_SLICE, ownString } from '../own-string.js';

/** Messages longer than this are cut (tracebacks keep their first 8 KiB). */
export const MAX_MESSAGE_CHARS = 8192;
/** Attribute strings and PostgreSQL fields longer than this are cut. */
export const MAX_ATTR_CHARS = 1024;
/** Attributes kept per event (and per nested object); the rest are counted under CUT_MARKER. */
export const MAX_ATTRS = 48;

/** Rough heap bytes of a one-byte string of `n` characters (header plus payload, 8-aligned). */
function strBytes(n: number): number {
  return 16 + ((n + 7) & ~7);
}

/** Result of compacting: the new object and its estimated heap size. */
export interface Compacted<T> {
  value: T;
  bytes: number;
}

/** Strings up to this length go through the shared table (ids, names, levels); longer ones are copied. */
const SHARED_MAX = 64;
const TABLE_SLOTS = 4096;

/**
 * Copies kept events into compact, self-contained objects. Short strings that repeat across events
 * (deployment ids, service names, levels, database users) are shared through a fixed-size table:
 * a slot holds the last string hashed to it, so memory stays bounded and a value that repeats is
 * stored once most of the time.
 */
export class EventCompactor {
  private readonly table: (string | undefined)[] = new Array<string | undefined>(TABLE_SLOTS);

  /** A self-contained copy of a kept event with its template id, and its estimated heap size. */
  event(ev: LogEvent, template: number): Compacted<LogEvent & { template: number }> {
    const message = ownString(ev.message, MAX_MESSAGE_CHARS);
    let bytes = EVENT_BYTES + strBytes(message.length);
    let attrs: Record<string, unknown> | undefined;
    if (ev.attrs !== undefined) {
      // The plain object behind ingest's lazy view, when it is one (PLAIN_ATTRS, model.ts).
      const a = this.object((ev.attrs as { [PLAIN_ATTRS]?: Record<string, unknown> })[PLAIN_ATTRS] ?? ev.attrs, ev);
      attrs = a.value;
      bytes += a.bytes;
    }
    let pg: PgFields | undefined;
    if (ev.pg !== undefined) {
      const p = this.object(ev.pg as Record<string, unknown>, null);
      pg = p.value;
      bytes += p.bytes;
    }
    // Same shape as ingest's events (detectors read it unchanged); `stream` stays present even
    // when undefined so that every kept event has one hidden class.
    const value = {
      ts: ev.ts,
      service: this.str(ev.service),
      source: ev.source,
      level: ev.level,
      levelText: this.str(ev.levelText),
      stream: ev.stream === undefined ? undefined : this.str(ev.stream),
      message,
      attrs,
      pg,
      input: ev.input,
      line: ev.line,
      template,
    };
    return { value, bytes };
  }

  /**
   * Attributes as a plain object: scalars copied (strings owned and capped), nested objects one
   * level deep the same way (detectors read `tags.deploymentId`, `error.message`), deeper values
   * and arrays as capped JSON text. With `of` (top level), the members the event already holds are
   * left out: the line's timestamp (the event has `ts`) and its message (the event's message, or
   * for a PostgreSQL line inside a Railway line, that message with its prefix).
   */
  object(src: Record<string, unknown>, of: LogEvent | null): Compacted<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    let bytes = 32;
    let n = 0;
    // Own keys without descriptors: on ingest's lazy attribute view, for-in or Object.keys would
    // ask the proxy for a descriptor per key (measured at ~14 µs an event).
    const keys = Reflect.ownKeys(src);
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (typeof k !== 'string') continue;
      if (n === MAX_ATTRS) {
        // Say how many were left out rather than drop them silently.
        out[CUT_MARKER] = keys.length - i;
        bytes += 32;
        break;
      }
      const v = src[k];
      if (of !== null && typeof v === 'string' && restates(k, v, of)) continue;
      let c: unknown;
      switch (typeof v) {
        case 'string':
          c = this.str(v);
          // A shared string costs its slot only; count it in full anyway, as an upper bound.
          bytes += strBytes((c as string).length);
          break;
        case 'number':
        case 'boolean':
          c = v;
          bytes += 8;
          break;
        case 'object':
          if (v === null) c = null;
          else if (of !== null && !Array.isArray(v)) {
            const inner = this.object(v as Record<string, unknown>, null);
            c = inner.value;
            bytes += inner.bytes;
          } else {
            c = ownString(jsonText(v), MAX_ATTR_CHARS);
            bytes += strBytes((c as string).length);
          }
          break;
        default:
          continue; // undefined, functions, symbols: not attribute values
      }
      out[k] = c;
      bytes += 24; // property slot and its share of the object's storage
      n++;
    }
    return { value: out, bytes };
  }

  /** An owned, capped copy of `s`, shared with earlier events when short and seen recently. */
  str(s: string): string {
    if (s.length < MIN_SLICE) return s;
    if (s.length > SHARED_MAX) return ownString(s, MAX_ATTR_CHARS);
    let h = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    const slot = (h >>> 0) & (TABLE_SLOTS - 1);
    const held = this.table[slot];
    if (held === s) return held;
    const own = ownString(s, MAX_ATTR_CHARS);
    this.table[slot] = own;
    return own;
  }
}

/** Whether attribute `k` only restates the event's time or message. */
function restates(k: string, v: string, ev: LogEvent): boolean {
  switch (k) {
    case 'timestamp':
    case 'time':
    case 'ts':
    case '@timestamp':
      return ev.ts !== null;
    case 'message':
    case 'msg':
      return v.length >= ev.message.length && v.endsWith(ev.message);
    default:
      return false;
  }
}

function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}

/** Estimated bytes of an event object with its fields, before attributes and pg. */
const EVENT_BYTES = 120;
