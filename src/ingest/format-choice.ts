// An input's format: the one forced with --input-format, or the one its first lines look like.
// Until it is chosen, those lines wait here; then the parser gets them, and every line after.
import type { InputSummary } from '../model.js';
import type { EventSink, InputFormat, LineParser, ParseOptions } from './format.js';
import type { LineTarget } from './line-splitter.js';
import { FORMATS, formatById, sniffFormat } from './registry.js';
import { opensArrayOfRecords } from './json-documents.js';
import { InputError, NotALogError } from './input-error.js';
import { inputName, plural } from '../words.js';

/** Lines read before the format is chosen from them. */
const SNIFF_LINES = 64;

export interface FormatOptions extends ParseOptions {
  /** Force a format instead of sniffing. */
  inputFormat?: string;
}

/**
 * The format of an input whose first lines are `head` (`linesRead`: lines read so far, skipped
 * ones included), and why. Throws NotALogError for a JSON array or a format not recognised, and
 * InputError for an unknown forced format. `path` is the input as given (`-`), `name` as shown.
 */
export function chooseFormat(head: readonly string[], linesRead: number, options: FormatOptions, path: string, name: string): { format: InputFormat; reason: string } {
  if (options.inputFormat) {
    const f = formatById(options.inputFormat);
    if (!f) throw new InputError(`unknown input format "${options.inputFormat}"; known formats: ${FORMATS.map((x) => x.id).join(', ')}`);
    return { format: f, reason: 'forced with --input-format' };
  }
  if (!head.some((l) => l.trim().length > 0)) return { format: formatById('raw')!, reason: linesRead === 0 ? 'input is empty' : 'input holds only blank lines' };
  const best = sniffFormat(head, options);
  if ((best === null || best.format.id === 'railway-text') && opensArrayOfRecords(head)) {
    const file = path === '-' ? '' : ` ${name}`;
    const reason = `a JSON array of log records; hindsight reads one JSON object a line, as railway logs --json prints them: ${path === '-' ? '... | ' : ''}jq -c '.[]'${file} | hindsight analyze`;
    throw new NotALogError(`${inputName(name)} is ${reason}`, reason);
  }
  if (!best) {
    const reason =
      `format not recognised from its first ${head.length === 1 ? 'line' : plural(head.length, 'line')}. Known formats: ${FORMATS.filter((x) => x.id !== 'raw').map((x) => x.id).join(', ')}. ` +
      `Use --input-format NAME to force one (--input-format raw reads every line as a bare message).`;
    throw new NotALogError(`${inputName(name)}: ${reason}`, reason);
  }
  return { format: best.format, reason: best.reason };
}

/** The lines of one input on their way to its parser: held until the format is chosen, then parsed. */
export class ParserChoice implements LineTarget {
  /** The parser, once the format is chosen. */
  parser: LineParser | null = null;
  inPlace: LineParser | null = null;
  private readonly head: string[] = [];
  // Line numbers of the head lines: a line skipped while sniffing (too long) leaves a gap.
  private readonly headNos: number[] = [];

  /** `create` makes the chosen format's parser; the choice is written in `summary`. */
  constructor(
    private readonly summary: InputSummary,
    private readonly sink: EventSink,
    private readonly create: (format: InputFormat) => LineParser,
    private readonly options: FormatOptions,
    private readonly path: string,
    private readonly name: string,
  ) {}

  line(text: string, n: number, mayHaveNul: boolean): void {
    if (n === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const p = this.parser;
    if (p !== null) {
      if (mayHaveNul) this.feed(text, n);
      else p.line(text, n);
    } else {
      this.head.push(text);
      this.headNos.push(n);
      if (this.head.length >= SNIFF_LINES) this.choose(n);
    }
  }

  skip(n: number, reason: string, text: string): void {
    this.sink.skip(n, reason, text);
  }

  cutLine(n: number, reason: string, text: string): void {
    // After the lines before it, which may still wait for the format.
    if (this.parser === null) this.choose(n);
    this.sink.skip(n, reason, text);
  }

  /** At the end of the input (`linesRead` lines; `interrupted` by a signal): chooses the format if still open, and ends the parser. */
  end(linesRead: number, interrupted: boolean): void {
    if (this.parser === null) {
      if (interrupted && this.head.length === 0) this.use(formatById('raw')!, 'interrupted before any line was read');
      else this.choose(linesRead);
    }
    this.parser!.end();
  }

  private choose(linesRead: number): void {
    const { format, reason } = chooseFormat(this.head, linesRead, this.options, this.path, this.name);
    this.use(format, reason);
  }

  private use(format: InputFormat, reason: string): void {
    this.summary.format = format.id;
    this.summary.formatReason = reason;
    const p = this.create(format);
    this.parser = p;
    this.inPlace = p.lineAt !== undefined ? p : null;
    for (let i = 0; i < this.head.length; i++) this.feed(this.head[i]!, this.headNos[i]!);
    this.head.length = 0;
    this.headNos.length = 0;
  }

  private feed(text: string, n: number): void {
    if (text.indexOf('\u0000') !== -1) {
      this.sink.skip(n, 'binary data (NUL bytes)', text.replaceAll('\u0000', '\\0'));
      return;
    }
    this.parser!.line(text, n);
  }
}
