// Metric exports are JSON documents, often pretty-printed over many lines, sometimes several in a
// row (one per service). This cuts the line stream into whole documents by tracking bracket depth
// outside strings, so each document is parsed on its own and a broken one costs only its lines.
import type { EventSink } from './format.js';

/** A whole JSON document: its value, first line number and how many lines it spans. */
export interface JsonDocument {
  value: unknown;
  firstLine: number;
  lines: number;
  /** The document's lines as read (for a reader that places what it found on its own line). */
  text: readonly string[];
}

/** Largest document kept for parsing; beyond it the document's lines are skipped. */
const MAX_DOCUMENT_CHARS = 256 * 1024 * 1024;

/**
 * Feeds lines, calls `onDocument` for each complete top-level JSON value. Lines of a document that
 * does not parse are skipped with the parser's reason; stray non-JSON lines between documents too.
 * `onDocument` returns a reason when the document is valid JSON but not of the expected shape
 * (its lines are then skipped), or null when it used the document (its lines are consumed).
 */
export class JsonDocumentReader {
  private lines: string[] = [];
  private firstLine = 0;
  private chars = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private tooLarge = false;
  private count = 0;

  constructor(
    private readonly sink: EventSink,
    private readonly what: string,
    private readonly onDocument: (doc: JsonDocument) => string | null,
  ) {}

  line(text: string, lineNo: number): void {
    if (this.count === 0 && this.depth === 0) {
      // Between documents: blank lines are harmless, anything not opening a document is stray.
      let i = 0;
      while (i < text.length && isSpace(text.charCodeAt(i))) i++;
      if (i === text.length) {
        this.sink.consume(1);
        return;
      }
      const c = text.charCodeAt(i);
      if (c !== 123 && c !== 91) {
        this.sink.skip(lineNo, `not part of a ${this.what} JSON document`, text);
        return;
      }
      this.firstLine = lineNo;
      this.chars = 0;
      this.tooLarge = false;
    }
    this.count++;
    this.chars += text.length + 1;
    if (!this.tooLarge) {
      if (this.chars > MAX_DOCUMENT_CHARS) {
        this.tooLarge = true;
        this.lines = [];
      } else this.lines.push(text);
    }
    this.scan(text);
    if (this.depth <= 0 && !this.inString) this.finish();
  }

  end(): void {
    if (this.count === 0) return;
    // Unbalanced brackets swallow what follows; a line opening a document at column 0 is where
    // the next document most likely starts, so the lines from there are read again.
    const lines = this.lines;
    const first = this.firstLine;
    let k = -1;
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i]!.charCodeAt(0);
      if (c === 123 || c === 91) {
        k = i;
        break;
      }
    }
    if (k === -1 || this.tooLarge) {
      this.skipAll(`${this.what} JSON document is cut off (input ended inside it)`);
      return;
    }
    this.count = k;
    this.skipAll(`${this.what} JSON document does not parse: unbalanced brackets`);
    for (let i = k; i < lines.length; i++) this.line(lines[i]!, first + i);
    this.end();
  }

  private scan(text: string): void {
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) inString = false;
      } else if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) depth--;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
  }

  private finish(): void {
    if (this.depth < 0) {
      this.skipAll('unbalanced brackets: more closing than opening');
      return;
    }
    if (this.tooLarge) {
      this.skipAll(`${this.what} JSON document larger than ${MAX_DOCUMENT_CHARS / 1024 / 1024} MB`);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(this.lines.join('\n'));
    } catch (e) {
      this.skipAll(`${this.what} JSON document does not parse: ${(e as Error).message}`);
      return;
    }
    const reason = this.onDocument({ value, firstLine: this.firstLine, lines: this.count, text: this.lines });
    if (reason !== null) this.skipAll(reason);
    else {
      this.sink.consume(this.count);
      this.reset();
    }
  }

  private skipAll(reason: string): void {
    for (let i = 0; i < this.count; i++) this.sink.skip(this.firstLine + i, reason, this.lines[i] ?? '');
    this.reset();
  }

  private reset(): void {
    this.lines = [];
    this.count = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.tooLarge = false;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 0xfeff;
}

/** The first lines of an input joined, for sniffing document formats by their keys. */
export function headText(lines: readonly string[], max = 64 * 1024): string {
  let s = '';
  for (const l of lines) {
    s += l + '\n';
    if (s.length > max) break;
  }
  return s;
}

/**
 * For sniffing a document format: the first non-blank line parsed, when it is a whole JSON value
 * by itself (a compact document, or one JSON object per line); undefined when it is only the
 * start of a pretty-printed document (then the caller looks at the text of the first lines).
 */
export function firstLineValue(lines: readonly string[]): unknown {
  const first = lines.find((l) => l.trim().length > 0);
  if (first === undefined) return undefined;
  const t = first.trim();
  if (t === '{' || t === '[' || t.endsWith(',') || t.endsWith('{') || t.endsWith('[')) return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

/**
 * Whether the first lines open a JSON array of log records (`[` alone on the first line, or `[{`),
 * with a `message` or `msg` key early: what `jq -s`, an API export or a "download as JSON" gives.
 * hindsight reads logs one JSON object a line; such a file would otherwise be read as text.
 */
export function opensArrayOfRecords(lines: readonly string[]): boolean {
  const i = lines.findIndex((l) => l.trim().length > 0);
  if (i === -1) return false;
  const first = lines[i]!.trim();
  if (first !== '[' && !/^\[\s*\{/.test(first)) return false;
  const head = lines.slice(i, i + 40).join('\n').slice(0, 8192);
  return /"(?:message|msg)"\s*:/.test(head);
}

