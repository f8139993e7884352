// Multi-line application records: a Python traceback, a Node stack (with its `cause`, its
// properties, and the source line, caret and version Node prints around an uncaught exception), a
// Java stack trace, a PHP stack trace, a Go panic's goroutine stacks, a Ruby backtrace, indented continuation lines. Each line of such a record arrives on its own
// (Railway even makes each a JSON object); they are joined into the record they belong to, so a
// traceback is one event, not twenty. The shapes are the runtimes' own (test/fixtures/multiline/).
import type { LogEvent } from '../model.js';
import type { EventSink } from './format.js';
import { levelCueOf } from './level.js';

const TRACEBACK = 'Traceback (most recent call last):';
const CHAINED = /^(During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)$/;
// The last line of a Python traceback, right under its last frame: the exception's qualified name,
// then its message (`ValueError: bad`, `asyncio.exceptions.TimeoutError`, Celery's
// `billiard.einfo.ExceptionWithTraceback: `).
const EXCEPTION_LINE = /^[A-Za-z_][\w.]*(?::|$)/;
// The first line of a Java stack trace (printStackTrace, a logger's throwable): a qualified class name.
const JAVA_THROWABLE = /^(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable)(?:: .*)?$/;
// Node's uncaught exception opens with where it was thrown (`/app/server.js:21`, `node:events:502`,
// `file:///app/main.mjs:3`), then the source line and a caret line under it.
const NODE_THROW_SITE = /^(?:\/|file:\/\/\/|node:)\S*:\d+$/;
const NODE_CARET = /^\s*\^+~*\s*$/;
// Node's last words after an uncaught exception: `Node.js v20.20.2`.
const NODE_VERSION = /^Node\.js v\d+\.\d+\.\d+$/;
const NODE_EMITTED = "Emitted 'error' event on ";
/** Where a JavaScript stack's frames are, in a record that holds one. */
const JS_FRAME = '\n    at ';
// What Python's warnings module writes after the source line of a ResourceWarning
// (warnings._formatwarnmsg_impl): where the object was allocated, or how to learn it.
const WARNING_ALLOCATED = 'Object allocated at (most recent call last):';
const WARNING_TRACEMALLOC_HINT = ': Enable tracemalloc to get the object allocation traceback';
// V8's fatal error (a heap out of memory): `FATAL ERROR: ...`, then the native stack under this
// header, one frame a line, numbered and right-aligned (` 9: 0x10b8304 ...`, `10: 0x10b9821 ...`).
const V8_FATAL = 'FATAL ERROR: ';
// libpq's text of a server error under its first line (pqBuildErrorMessage3; the strings are those
// of Debian's libpq.so.5): the error's position, `LINE 4:         JOIN orders o ON ...` and a caret
// line under it, then its fields as `NAME:  value`, two spaces. psycopg2 makes the whole text its
// exception's message, so these lines follow a traceback's exception line, or the line a logger
// wrote the error in.
const LIBPQ_FIELDS: ReadonlySet<string> = new Set([
  'DETAIL', 'HINT', 'QUERY', 'CONTEXT', 'LOCATION', 'SCHEMA NAME', 'TABLE NAME', 'COLUMN NAME', 'DATATYPE NAME', 'CONSTRAINT NAME',
]);
// The further lines of a CONTEXT field: PostgreSQL writes one line per call it was in, innermost
// first (an error raised in a function called by a function: `PL/pgSQL function charge(integer)
// line 4 at RAISE`, `SQL statement "SELECT charge(id)"`, `PL/pgSQL function settle(integer) line 3
// at PERFORM`). Its own log indents them with a tab; libpq's text does not, so a driver's error
// continues with them unindented. Their beginnings, by first letter, are the errcontext texts of
// PostgreSQL 15 (the strings of postgres and plpgsql.so) and of its other procedural languages.
const PG_CONTEXT_LINES: ReadonlyMap<number, readonly string[]> = new Map([
  [80 /* P */, ['PL/pgSQL function ', 'PL/pgSQL assignment "', 'PL/Python function "', 'PL/Perl function "', 'PL/Tcl function "']],
  [83 /* S */, ['SQL statement "', 'SQL expression "', 'SQL function "']],
  [67 /* C */, ['COPY ']],
  [74 /* J */, ['JSON data, line ']],
  [97 /* a */, ['automatic vacuum of table "', 'automatic analyze of table "']],
  [101 /* e */, ['extension script file "']],
  [112 /* p */, ['parallel worker', 'portal "', 'processing remote data for replication origin "']],
  [117 /* u */, ['unnamed portal parameter $']],
  [119 /* w */, ['while ']],
]);
const CONTEXT_FIELD = 'CONTEXT:  ';
// What SQLAlchemy adds under a driver's error (StatementError._sql_message in sqlalchemy/exc.py):
// the statement in `[SQL: ...]` (over as many lines as it has, to the closing `]`), its parameters,
// and where the error is explained.
const SQLALCHEMY_SQL = '[SQL: ';
const SQLALCHEMY_TAIL = ['[parameters: ', '[SQL parameters hidden due to hide_parameters=True]', '(Background on this error at: '];
const V8_NATIVE_STACK = '----- Native stack trace -----';
// Go: a panic (`panic: ...`, net/http's recovered `http: panic serving ...`) or a fatal error
// (`fatal error: out of memory`) is followed by the goroutines' stacks (runtime/traceback.go): a
// header per goroutine, then per frame the function with its arguments and, indented by a tab,
// its file and line; `created by` names the goroutine's creator; a fatal error shows the
// runtime's own stack first.
const GO_GOROUTINE = /^goroutine \d+ \[[^\]\n]*\]:$/;
const GO_FRAME = /^(?:created by \S+(?: in goroutine \d+)?|[^\s(]+\(.*\)|runtime stack:|\.\.\.additional frames elided\.\.\.)$/;
// The signal under a panic of a memory fault: `[signal SIGSEGV: segmentation violation code=0x1 ...]`.
const GO_SIGNAL = '[signal ';
/** Where a Go goroutine header is, in a record that holds one. */
const GO_STACK = '\ngoroutine ';
// Ruby: a backtrace's frame, `path:line:in `method'` (Ruby 3.4 quotes `'Class#method'`), as
// Exception#backtrace holds it; programs write the frames one a line under the line that named the
// error (Sidekiq's and Rails' loggers join them with "\n", `puts e.backtrace`), so a bare frame
// always continues the record before it. A frame that goes on with `: message (Class)` is the
// first line of an uncaught exception (error.c's rb_error_write, Exception#full_message): it
// starts a record, and its `\tfrom` frames are indented.
const RUBY_IN = ':in ';
// PHP: an uncaught exception's text (Exception::__toString: `PHP Fatal error:  Uncaught X: msg in
// file:line`, `Stack trace:`, a frame a line, `  thrown in file on line N`), which nginx logs as one
// FastCGI message and Railway splits. Frames: `#0 /app/index.php(75): invoiceTotal()`,
// `#1 [internal function]: f()`, `#2 {main}`.
const PHP_STACK_TRACE = 'Stack trace:';
const PHP_FRAME = /^#\d+ (?:\{main\}|\[internal function\]: |\S[^\n]*\(\d+\): )/;
// php-fpm's slow log (sapi/fpm/fpm/fpm_php_trace.c): `[time]  [pool www] pid N`, then the script and
// the request's frames, `[0x00007f02f2c13110] query() /app/index.php:54`.
const FPM_SLOWLOG_SCRIPT = 'script_filename = ';
const FPM_SLOWLOG_FRAME = /^\[0x[0-9a-f]+\] \S/;

/**
 * Whether `message` continues `held` (the record before it, `lines` lines so far) rather than
 * starting a record. `hasTraceback` may be passed when the caller already knows whether `held`
 * holds a Python traceback.
 */
export function continuesRecord(message: string, held: LogEvent, hasTraceback?: boolean, lines = 1, hasGoStack?: boolean): boolean {
  const tb = hasTraceback ?? held.message.indexOf(TRACEBACK) !== -1;
  // Blank lines (between a traceback and the header of the one it caused, around Node's stack)
  // are skipped by the formats, never joined: a record's text is the same whatever form it came in.
  if (message.length === 0) return false;
  const c = message.charCodeAt(0);
  if (c === 32 || c === 9) return true;
  if (c === 45 /* - */ && message === V8_NATIVE_STACK) return held.message.startsWith(V8_FATAL);
  if (c >= 48 && c <= 57) return isNativeFrame(message) && held.message.indexOf('\n' + V8_NATIVE_STACK) !== -1;
  if (isRubyFrame(message)) return true;
  if (c === 83 /* S */ && message === PHP_STACK_TRACE) return true;
  if (c === 115 /* s */ && message.startsWith(FPM_SLOWLOG_SCRIPT)) return held.message.indexOf('\n') === -1 && held.message.indexOf(']  [pool ') !== -1;
  if (c === 91 /* [ */ && FPM_SLOWLOG_FRAME.test(message)) return held.message.indexOf('\n' + FPM_SLOWLOG_SCRIPT) !== -1;
  if (c === 35 /* # */ && PHP_FRAME.test(message)) return held.message.indexOf('\n' + PHP_STACK_TRACE) !== -1;
  // A traceback belongs to the line that announced it (logging.exception's ERROR line, Django's
  // `Internal Server Error: /path`), not to an INFO or WARNING line that happened to come before
  // an uncaught exception. In a record that holds one, a traceback's header follows a chained
  // traceback's header or Celery's `"""`; after an ended one (its exception line, the driver's
  // text under it), it starts the next record (an uncaught exception after a logged one).
  if (c === 84 /* T */ && message === TRACEBACK) {
    if (!tb) return !announcesLessThanError(held.message);
    return !endedTraceback(held.message) || lastLine(held.message) === '"""';
  }
  if (c === 67 /* C */ && message.startsWith('Caused by: ')) return true;
  if ((tb || held.level === 'error' || held.level === 'fatal') && isDriverErrorText(message)) return true;
  if (isPgContextLine(message)) return continuesContext(held.message);
  // Go: the goroutines' stacks after the panic or fatal error that announced them.
  if (c === 91 /* [ */ && message.startsWith(GO_SIGNAL)) return announcesGoStack(held.message);
  if (c === 103 /* g */ && GO_GOROUTINE.test(message)) return (hasGoStack ?? held.message.indexOf(GO_STACK) !== -1) || announcesGoStack(held.message);
  if ((hasGoStack ?? held.message.indexOf(GO_STACK) !== -1) && GO_FRAME.test(message)) return true;
  if (tb) {
    // A chained traceback's header follows the exception line that ended the one before it.
    if (CHAINED.test(message)) return true;
    // Celery (billiard) quotes the worker's own traceback in the exception's message between `"""` lines.
    if (c === 34 /* " */ && message === '"""') return true;
    if (!endedTraceback(held.message)) return EXCEPTION_LINE.test(message) || message.startsWith(TRACEBACK);
  }
  const last = lastLine(held.message);
  // Node: whatever was thrown follows the caret under the throw site's source line.
  if (NODE_CARET.test(last) && NODE_THROW_SITE.test(firstLine(held.message))) return true;
  // `}` closes an object Node printed after an error (its properties, its `[cause]`).
  if (c === 125 /* } */ && message.length <= 2) return held.message.indexOf('{') !== -1;
  if (c === 78 /* N */ && NODE_VERSION.test(message)) return held.message.indexOf(JS_FRAME) !== -1 || NODE_CARET.test(last);
  if (c === 69 /* E */ && message.startsWith(NODE_EMITTED)) return held.message.indexOf(JS_FRAME) !== -1;
  // Java: a throwable printed right under the line that announced it (`SEVERE: run failed`, a logger's ERROR line).
  return lines === 1 && !tb && JAVA_THROWABLE.test(message);
}

/**
 * Whether `text` opens with a warning as Python's warnings module writes it
 * (warnings._formatwarnmsg_impl): `{filename}:{lineno}: {category}: {message}`, where the
 * filename is a path, `<string>` or `sys`, and the category is any Warning subclass's name
 * (`DeprecationWarning`, Celery's `SecurityWarning`, SQLAlchemy's `SAWarning`).
 */
function isPythonWarning(text: string): boolean {
  const at = text.indexOf('Warning: ');
  if (at === -1 || at > 240) return false;
  const nl = text.indexOf('\n');
  if (nl !== -1 && nl < at) return false;
  let w = at;
  while (w > 0 && isNameChar(text.charCodeAt(w - 1))) w--;
  if (w < 4 || text.charCodeAt(w - 1) !== 32 || text.charCodeAt(w - 2) !== 58) return false;
  let d = w - 2;
  while (d > 0 && text.charCodeAt(d - 1) >= 48 && text.charCodeAt(d - 1) <= 57) d--;
  return d < w - 2 && d > 1 && text.charCodeAt(d - 1) === 58;
}

function isNameChar(c: number): boolean {
  return ((c | 32) >= 97 && (c | 32) <= 122) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * Whether `message` continues `held`, a Python warning: the message's own further lines (they
 * have no shape of their own, so any line that announces no record of its own until the source
 * line), the indented source line, then only what the warnings module adds to a ResourceWarning.
 */
function continuesWarning(message: string, held: string): boolean {
  if (message.length === 0) return false;
  const c = message.charCodeAt(0);
  if (c === 32 || c === 9) return true;
  if (held.indexOf('\n ') !== -1) return message === WARNING_ALLOCATED || message.endsWith(WARNING_TRACEMALLOC_HINT);
  return levelCueOf(message) === null && message !== TRACEBACK && !isPythonWarning(message);
}

/**
 * Whether `message` is a line a database driver writes under an error's first line: libpq's
 * position and fields (LIBPQ_FIELDS), SQLAlchemy's statement, parameters and explanation.
 */
function isDriverErrorText(message: string): boolean {
  const c = message.charCodeAt(0);
  if (c === 91 /* [ */ || c === 40 /* ( */) return message.startsWith(SQLALCHEMY_SQL) || SQLALCHEMY_TAIL.some((t) => message.startsWith(t));
  if (c < 65 || c > 90) return false;
  if (c === 76 /* L */ && message.startsWith('LINE ')) {
    let i = 5;
    while (message.charCodeAt(i) >= 48 && message.charCodeAt(i) <= 57) i++;
    return i > 5 && message.charCodeAt(i) === 58 && message.charCodeAt(i + 1) === 32;
  }
  // `NAME:  `: upper-case words, then a colon and two spaces (no search past the longest name).
  let i = 1;
  while (i < 16 && ((message.charCodeAt(i) >= 65 && message.charCodeAt(i) <= 90) || message.charCodeAt(i) === 32)) i++;
  return message.charCodeAt(i) === 58 && message.charCodeAt(i + 1) === 32 && message.charCodeAt(i + 2) === 32 && LIBPQ_FIELDS.has(message.slice(0, i));
}

/** Whether `message` is one of the further lines of a CONTEXT field (PG_CONTEXT_LINES). */
function isPgContextLine(message: string): boolean {
  const starts = PG_CONTEXT_LINES.get(message.charCodeAt(0));
  return starts !== undefined && starts.some((p) => message.startsWith(p));
}

/** Whether a record's last line is a CONTEXT field or one of its further lines: the field goes on. */
function continuesContext(held: string): boolean {
  const last = lastLine(held);
  return last.startsWith(CONTEXT_FIELD) || (isPgContextLine(last) && held.indexOf(CONTEXT_FIELD) !== -1);
}

/**
 * A record of no stream (a file of a program's stderr) that holds a Python traceback is an
 * error, as Railway's stderr label makes it, unless its first line announced a level of its own
 * (`threading`'s `Exception in thread worker-1:` announces none).
 */
function tracebackIsError(ev: LogEvent): void {
  if (ev.stream === undefined && ev.level === 'info' && levelCueOf(firstLine(ev.message)) === null) ev.level = 'error';
}

/** Whether a record's last line opens SQLAlchemy's `[SQL: ` block without closing it: its statement goes on. */
function opensSql(message: string): boolean {
  return message.startsWith(SQLALCHEMY_SQL) && message.charCodeAt(message.length - 1) !== 93;
}

/** A frame of V8's native stack from its tenth on: `10: 0x10b9821 ...` (the first nine are indented). */
function isNativeFrame(message: string): boolean {
  let i = 1;
  while (i < 4 && message.charCodeAt(i) >= 48 && message.charCodeAt(i) <= 57) i++;
  return message.startsWith(': 0x', i);
}

/** Whether `message` is a Ruby backtrace's bare frame (RUBY_IN): `/app/x.rb:12:in `charge'`, `<internal:kernel>:90:in 'tap'`. */
function isRubyFrame(message: string): boolean {
  const at = message.indexOf(RUBY_IN);
  if (at < 3) return false;
  // The line number before `:in `, a path of no spaces before it.
  let d = at;
  while (d > 0 && message.charCodeAt(d - 1) >= 48 && message.charCodeAt(d - 1) <= 57) d--;
  if (d === at || d < 2 || message.charCodeAt(d - 1) !== 58 || message.lastIndexOf(' ', d) !== -1) return false;
  // The method, quoted, and nothing after it.
  const q = message.charCodeAt(at + 4);
  return (q === 96 /* ` */ || q === 39 /* ' */) && message.charCodeAt(message.length - 1) === 39 && message.indexOf("': ", at + 5) === -1;
}

/** Whether a record is one a Go program prints its goroutines' stacks under: a panic or a fatal error. */
function announcesGoStack(text: string): boolean {
  return text.indexOf('panic') !== -1 || text.indexOf('fatal error: ') !== -1 || text.endsWith('runtime stack:');
}

function announcesLessThanError(text: string): boolean {
  const cue = levelCueOf(firstLine(text));
  return cue !== null && cue !== 'error' && cue !== 'fatal';
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  return nl === -1 ? text : text.slice(0, nl);
}

function lastLine(text: string): string {
  const nl = text.lastIndexOf('\n');
  return nl === -1 ? text : text.slice(nl + 1);
}

function endedTraceback(text: string): boolean {
  // A traceback ends at its exception line: the last line is not indented and not a header.
  const last = lastLine(text);
  if (last.length === 0) return false;
  const c = last.charCodeAt(0);
  if (c === 32 || c === 9) return false;
  return !(last === TRACEBACK || CHAINED.test(last));
}

/**
 * Whether `message` may continue a record at all, whatever the record holds: false for most
 * messages, before anybody searches the held record for a traceback. A superset of what
 * continuesRecord accepts: an indented line, a line starting with T (Traceback, The above...),
 * C (Caused by), D (During handling), E (Emitted 'error' event), N (Node.js v20), `}`, `"`, V8's
 * native stack header and its numbered frames, a driver's lines under an error, a name
 * followed by a colon or the end (`ValueError: bad`, `java.io.IOException: reset`, `TypeError: x`
 * after Node's caret), or one followed by `(` or `/` (a Go frame: `main.main()`,
 * `net/http.(*conn).serve(...)`), Go's `goroutine 6 [running]:`, `[signal SIGSEGV: ...]` and
 * `...additional frames elided...`, a further line of PostgreSQL's CONTEXT, a Ruby frame (a relative path starts with a name and a `/`).
 */
function mayContinue(message: string): boolean {
  const n = message.length;
  if (n === 0) return false;
  const c = message.charCodeAt(0);
  if (c === 32 || c === 9 || c === 84 || c === 67 || c === 68 || c === 69 || c === 78 || c === 125 || c === 34) return true;
  if (c === 45) return message === V8_NATIVE_STACK;
  if (c === 83 && message === PHP_STACK_TRACE) return true;
  if (c === 115 && message.startsWith(FPM_SLOWLOG_SCRIPT)) return true;
  if (c === 91 && FPM_SLOWLOG_FRAME.test(message)) return true;
  if (c === 35) return PHP_FRAME.test(message);
  // libpq's `LINE 1: `, `SCHEMA NAME:  ` and SQLAlchemy's `[SQL: `, `(Background on ...` (the other lines a driver adds are a name and a colon).
  if ((c === 91 || c === 40 || c === 76 || c === 83 || c === 84) && isDriverErrorText(message)) return true;
  if (isPgContextLine(message)) return true;
  if (c === 46) return message.startsWith('...additional');
  // A Ruby frame in an absolute path or Ruby's own (`<internal:kernel>:90:in `tap'`); a relative one starts with a name.
  if (c === 47 || c === 60) return isRubyFrame(message);
  if (c === 91) return message.startsWith(GO_SIGNAL);
  if (c >= 48 && c <= 57) return isNativeFrame(message);
  if (!(((c | 32) >= 97 && (c | 32) <= 122) || c === 95 || c === 36)) return false;
  for (let i = 1; i < n; i++) {
    const d = message.charCodeAt(i);
    if (((d | 32) >= 97 && (d | 32) <= 122) || (d >= 48 && d <= 57) || d === 95 || d === 46 || d === 36) continue;
    return d === 58 || d === 40 /* ( */ || d === 47 /* / */ || (d === 32 && (c === 103 || c === 99 || c === 114) /* goroutine, created by, runtime stack: */);
  }
  return true;
}

/** A record held for continuation lines. */
interface Held {
  ev: LogEvent;
  lines: number;
  /**
   * Whether the record holds a traceback header: 1 or 0, -1 until a line that may continue the
   * record asks (most lines do not, and the search costs a scan of the whole message).
   */
  traceback: number;
  /** Whether the record is a Python warning: 1 or 0, -1 until asked (only a record at warn level is). */
  warning: number;
  /** Whether its last line opened SQLAlchemy's `[SQL: ` block and no line has closed it: any line continues it. */
  sql: boolean;
  /** Whether the record holds a Go goroutine's stack: 1 or 0, -1 until asked (as `traceback`). */
  goStack: number;
  /** The count of lines offered (see HeldRecord.offered) when the record's last line came. */
  at: number;
  /** Whether no line can join it any more (it waits only for the records before it to be emitted). */
  done: boolean;
}

/**
 * Lines of other streams that may come between two lines of one record, when their times do not
 * already tell (railway logs' `[ERRO]` form has none). Railway reads stdout and stderr from two
 * pipes, so the lines of one stream can arrive after whatever the other held: at most a pipe's
 * 64 KiB, some 500 lines of 128 bytes.
 */
const MAX_BETWEEN = 500;
/** Streams open at once (Railway's labels are error, info, warn and debug). */
const MAX_STREAMS = 4;

/**
 * Holds the latest record of each service and stream so that continuation lines can join it,
 * then hands the records to the sink in the order they began. One write goes to one stream, and
 * Railway makes each of its lines an entry, interleaved with what other threads wrote to the
 * other stream meanwhile (a request log on stdout between the lines of a traceback on stderr): a
 * line joins the latest record of its own stream whatever came between on the others, within
 * the window of any line of a record (maxGapMs after its first line) and at most MAX_BETWEEN
 * lines after the record's last. Records of other streams wait behind an open one (as many as
 * come in that window), so the order of the input is kept.
 */
export class HeldRecord {
  /** Records not yet emitted, in the order they began. */
  private readonly queue: Held[] = [];
  /** The records lines may still join: the latest of each service and stream. */
  private readonly open: Held[] = [];
  /** Lines offered to tryJoin so far. */
  private offered = 0;

  constructor(private readonly sink: EventSink, private readonly maxGapMs = 2000) {}

  /**
   * Joins `message` to the open record of its service and stream when it continues it; returns
   * false when it does not. `stream` is the line's stream label (Railway's `level`, the text
   * form's marker): a line of stdout never continues a record of stderr.
   */
  tryJoin(message: string, ts: number | null, service: string, stream?: string): boolean {
    this.offered++;
    const s = this.openOf(service, stream);
    if (s === undefined || this.offered - s.at > MAX_BETWEEN) return false;
    const h = s.ev;
    if (ts !== null && h.ts !== null && Math.abs(ts - h.ts) > this.maxGapMs) return false;
    if (s.sql) {
      // The statement's lines, whatever their shape, to the one that closes the block.
      s.sql = message.charCodeAt(message.length - 1) !== 93;
    } else {
      if (h.level === 'warn' && s.warning === -1) s.warning = isPythonWarning(h.message) ? 1 : 0;
      if (h.level === 'warn' && s.warning === 1) {
        if (!continuesWarning(message, h.message)) return false;
      } else {
        if (!mayContinue(message)) return false;
        if (s.traceback === -1) s.traceback = h.message.indexOf(TRACEBACK) !== -1 ? 1 : 0;
        if (s.goStack === -1) s.goStack = h.message.indexOf(GO_STACK) !== -1 ? 1 : 0;
        if (!continuesRecord(message, h, s.traceback === 1, s.lines, s.goStack === 1)) return false;
      }
      s.sql = opensSql(message);
    }
    h.message += '\n' + message;
    if (s.traceback !== 1 && message.startsWith(TRACEBACK)) {
      s.traceback = 1;
      tracebackIsError(h);
    }
    if (s.goStack === 0 && message.startsWith('goroutine ')) s.goStack = 1;
    s.lines++;
    s.at = this.offered;
    return true;
  }

  /**
   * Holds `ev` as the open record of its service and stream: the one before it is closed, and so
   * are those of other streams that no line can join any more; closed records at the head of
   * the queue are emitted.
   */
  hold(ev: LogEvent): void {
    const o = this.open;
    for (let i = 0; i < o.length; ) {
      const h = o[i]!;
      if ((h.ev.service === ev.service && h.ev.stream === ev.stream) || this.offered - h.at > MAX_BETWEEN ||
        (ev.ts !== null && h.ev.ts !== null && ev.ts - h.ev.ts > this.maxGapMs)) {
        h.done = true;
        o.splice(i, 1);
      } else i++;
    }
    if (o.length === MAX_STREAMS) o.shift()!.done = true;
    if (ev.message.startsWith(TRACEBACK)) tracebackIsError(ev);
    // Railway's own container lines are whole: the program's first line (Celery's indented banner) is not theirs.
    const whole = ev.message === 'Starting Container' || ev.message === 'Stopping Container';
    const h: Held = { ev, lines: 1, traceback: -1, warning: -1, sql: false, goStack: -1, at: this.offered, done: whole };
    if (!whole) o.push(h);
    this.queue.push(h);
    this.drain();
  }

  /** Emits every held record, in the order they began. */
  flush(): void {
    for (const h of this.queue) this.sink.event(h.ev, h.lines);
    this.queue.length = 0;
    this.open.length = 0;
  }

  private openOf(service: string, stream: string | undefined): Held | undefined {
    const o = this.open;
    for (let i = 0; i < o.length; i++) if (o[i]!.ev.service === service && o[i]!.ev.stream === stream) return o[i];
    return undefined;
  }

  /** Emits the closed records at the head of the queue. */
  private drain(): void {
    const q = this.queue;
    let n = 0;
    while (n < q.length && q[n]!.done) {
      this.sink.event(q[n]!.ev, q[n]!.lines);
      n++;
    }
    if (n > 0) q.splice(0, n);
  }
}
