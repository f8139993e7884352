// The real-format-string evaluation set: labelled messages built from the format strings real
// programs log with (PostgreSQL's message catalogue, the logging calls of Python libraries from
// Debian and of Node libraries from npm; test/templates/formats/README.md says where each comes
// from). No one here wrote the templates: each is a program's own source, so the truth is exact.
//
// * A placeholder (`%s`, `%d`, `%m`, `%(name)s`, `{}`, `{name}`, a template literal's `${}`) is a
//   variable, everything else is constant, and the messages of one format string are one group
//   (the Loghub convention). The label is the format with every placeholder written `<*>`.
// * Placeholders are filled with values of varied, realistic shapes, chosen by the conversion
//   (`%d` a number, `%m` an errno text, `%X` hex) and, for strings, by the placeholder's name or the
//   word before it (`file "%s"` a path, `%(duration)s` a duration), with a share of any shape, so a
//   slot sees sizes with units, durations, dates in words, paths with spaces, empty values, ids,
//   hex, addresses with ports, quoted identifiers and plain words.
// * A source's format strings are split for good by a hash of their text: one in five is held
//   aside (`part: 'held'`), never to be looked at when tuning the miner. Each part is cut into
//   systems of at most 100 format strings (in hash order), like one program's log; occurrence
//   counts are skewed (log-normal weights: a few formats thousands of times, many 1-4 times), every
//   format at least once, and everything is seeded, so the set is the same on every run.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rng, type Labelled } from './generate.js';

export const FORMATS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'formats');

/** One extracted format string, as in test/templates/formats/<source>.jsonl. */
export interface FormatRecord {
  format: string;
  /** printf (`%s`, `%(name)s`), brace (`{}`, `{name}`) or literal (logged without arguments: no placeholder). */
  style: 'printf' | 'brace' | 'literal';
  package: string;
  version: string;
  file: string;
  line?: number;
}

type Piece = string | Slot;
interface Slot {
  /** printf conversion letter (`s`, `d`, `x`, `m`, ...), `octal` for C's and Python's `%o`, or `s` for a brace placeholder. */
  conv: string;
  /** Zero padding width (`%02d`), 0 when none. */
  pad: number;
  /** Fixed decimals (`%.3f`), -1 when none. */
  decimals: number;
  /** What the value is, from the placeholder's name or the word before it. */
  hint: string;
  /** The word after it (lower case): `%s seconds` is a count. */
  next: string;
  /** The placeholder sits in quotes (`"%s"`). */
  quoted: boolean;
}

/** A format string parsed into constant text and slots, with its label. */
export interface ParsedFormat {
  record: FormatRecord;
  pieces: Piece[];
  label: string;
}

export interface RealSystem extends Labelled {
  source: string;
  part: 'tune' | 'held';
  name: string;
  formats: number;
  /** Lines dropped because every fill tried wrote a message another format also writes. */
  collisions: number;
}

/** FNV-1a, 32 bits: the split and the seeds depend only on the text. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Held aside: one format string in five, by the hash of its text. */
export const isHeld = (format: string) => fnv1a(format) % 5 === 0;

const PRINTF = /%(?:\(([^)]*)\))?[-+ #0']*(\d+|\*)?(?:\.(\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?([diouxXeEfFgGcsrampjoO%])/g;
const BRACE = /\{\{|\}\}|\{([^{}]*)\}/g;

/** The word before offset `end` of `text` (lower case), a hint of what the value is. */
function wordBefore(text: string, end: number): string {
  const m = /([A-Za-z_]+)[^A-Za-z_]{0,3}$/.exec(text.slice(Math.max(0, end - 40), end));
  return m ? m[1]!.toLowerCase() : '';
}

/** The word right after offset `start` of `text` (lower case). */
function wordAfter(text: string, start: number): string {
  const m = /^[\s(]{0,2}([A-Za-z_]+|%)/.exec(text.slice(start, start + 40));
  return m ? m[1]!.toLowerCase() : '';
}

/** Parses a format string; null when it is not usable as one log line (see filters). */
export function parseFormat(record: FormatRecord): ParsedFormat | null {
  const text = record.format.trim();
  // A message of several lines is several records in a line-based log: not one line's template.
  if (text === '' || text.includes('\n')) return null;
  const pieces: Piece[] = [];
  let constant = '';
  const flush = () => {
    if (constant) pieces.push(constant);
    constant = '';
  };
  if (record.style === 'literal') constant = text;
  else {
    const re = record.style === 'printf' ? PRINTF : BRACE;
    re.lastIndex = 0;
    let last = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      constant += text.slice(last, m.index);
      last = re.lastIndex;
      if (m[0] === '%%' || m[0] === '{{' || m[0] === '}}') {
        constant += m[0][0];
        continue;
      }
      const before = text[m.index - 1];
      const quoted = before === '"' || before === "'" || before === '`';
      let slot: Slot;
      if (record.style === 'printf') {
        // `%o` is an object in Node's util.format, octal in C's printf and Python's %
        const conv = m[4] === 'o' && !record.file.endsWith('.js') ? 'octal' : m[4]!;
        const name = m[1];
        slot = {
          conv,
          pad: m[0].includes('0') && m[2] && m[2] !== '*' ? Number(m[2]) : 0,
          decimals: m[3] && m[3] !== '*' ? Number(m[3]) : -1,
          hint: (name ?? wordBefore(text, m.index)).toLowerCase(),
          next: wordAfter(text, re.lastIndex),
          quoted,
        };
      } else {
        const name = (m[1] ?? '').split(/[:!.[]/)[0]!;
        slot = { conv: 's', pad: 0, decimals: -1, hint: (name || wordBefore(text, m.index)).toLowerCase(), next: wordAfter(text, re.lastIndex), quoted };
      }
      flush();
      pieces.push(slot);
    }
    constant += text.slice(last);
  }
  flush();
  const label = pieces.map((p) => (typeof p === 'string' ? p : '<*>')).join('');
  // A format with no word of its own ("%s: %s") says nothing about which program wrote it.
  if (!/[A-Za-z]{2}/.test(label.replace(/<\*>/g, ' '))) return null;
  return { record, pieces, label };
}

// ---------------------------------------------------------------------------------------------
// Values. Each generator draws one value of one shape.

type R = () => number;
const int = (r: R, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const hex = (r: R, n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(r, 0, 15)]).join('');
const two = (n: number) => String(n).padStart(2, '0');

const WORDS = ['public', 'main', 'default', 'primary', 'replica', 'worker', 'celery', 'standby', 'on', 'off', 'auto', 'none', 'idle', 'active', 'pending', 'ready', 'GET', 'POST', 'true', 'false', 'null', 'None', 'utf8', 'SQL_ASCII', 'en_US.UTF-8', 'md5', 'scram-sha-256', 'lz4', 'pgoutput'];
const IDENTS = ['users', 'order_items', 'public.accounts', 'pg_catalog.pg_class', 'tasks', 'idx_users_email', 'users_pkey', 'fk_orders_user_id', 'billing', 'app', 'postgres', 'sessions', 'audit_log', 'my_func', 'int4', 'text', 'jsonb', 'timestamptz', 'pg_default', 'ts_2024_03', 'émission'];
/** Names that need quotes: a quoted identifier takes one now and then. */
const SPACED_IDENTS = ['Order Items', 'My Table', 'user accounts'];
const PEOPLE = ['postgres', 'app_user', 'alice', 'bob', 'deploy', 'replicator', 'readonly', 'root', 'www-data', 'service-account-42', 'guest'];
const HOSTS = ['localhost', 'db.internal', 'redis-primary', 'api.example.com', 'worker-3.cluster.local', 'ip-10-0-3-17.ec2.internal', 'postgres.railway.internal'];
const PATHS = ['/var/lib/postgresql/15/main/base/16384/2619', '/etc/postgresql/15/main/postgresql.conf', '/var/run/postgresql/.s.PGSQL.5432', 'pg_wal/000000010000000A000000F3', 'base/16384/16397.1', './config/settings.py', '/opt/app/node_modules/.prisma/client/schema.prisma', 'global/pg_control', '/srv/app/current/app.py', '/tmp/pymp-k2h1x9/listener-3', 'pg_tblspc/16400/PG_15_202209061/16384'];
/** Paths with spaces: a path takes one now and then. */
const SPACED_PATHS = ['/srv/app/My Settings/app.yaml', '/tmp/celery worker.pid', '/home/deploy/releases/2024 03 04/app.py', 'C:\\Program Files\\PostgreSQL\\15\\data'];
const ERRNO = ['No such file or directory', 'Permission denied', 'No space left on device', 'Connection refused', 'Connection reset by peer', 'Too many open files', 'Input/output error', 'Resource temporarily unavailable', 'Broken pipe', 'Cannot allocate memory', 'File exists', 'Operation not permitted'];
const PHRASES = ['connection reset by peer', 'timed out', 'server closed the connection unexpectedly', 'could not translate host name', 'ECONNREFUSED', 'Error 111 connecting to localhost:6379. Connection refused.', 'MOVED 3999 127.0.0.1:6381', 'READONLY You can\'t write against a read only replica.', 'task succeeded', 'missing FROM-clause entry', 'unexpected EOF', 'out of memory', 'deadlock detected', 'invalid input syntax for type integer: "abc"'];
const DOTTED = ['celery.worker.consumer', 'app.tasks.send_email', 'django.db.backends', 'sqlalchemy.engine.Engine', 'tasks.add', 'myapp.models.Invoice', 'redis.exceptions.ConnectionError', 'kombu.transport.redis', 'proj.celery', 'uvicorn.error'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const clock = (r: R) => `${two(int(r, 0, 23))}:${two(int(r, 0, 59))}:${two(int(r, 0, 59))}`;
const ip = (r: R) => `${int(r, 1, 223)}.${int(r, 0, 255)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;

const SHAPES = {
  int: (r: R) => String(r() < 0.4 ? int(r, 0, 9) : r() < 0.6 ? int(r, 10, 9999) : int(r, 10000, 4294967295)),
  float: (r: R) => (r() * (r() < 0.5 ? 1 : 100000)).toFixed(int(r, 1, 4)),
  size: (r: R) => pick(r, [`${int(r, 1, 1023)} kB`, `${int(r, 1, 999)}MB`, `${(r() * 64).toFixed(1)} GB`, `${int(r, 0, 1 << 20)} bytes`, `${int(r, 1, 512)}KiB`, `${(r() * 10).toFixed(2)} MiB`, `${int(r, 8, 8192)}B`]),
  duration: (r: R) => pick(r, [`${int(r, 0, 5000)}ms`, `${(r() * 30).toFixed(3)} s`, `${(r() * 900).toFixed(3)} ms`, `${int(r, 1, 59)} minutes`, `${(r() * 10).toFixed(2)}s`, `${two(int(r, 0, 23))}:${two(int(r, 0, 59))}:${two(int(r, 0, 59))}.${int(r, 100, 999)}`, `${int(r, 1, 3)} day(s)`]),
  date: (r: R) => {
    const d = int(r, 1, 28);
    const mon = pick(r, MONTHS);
    const y = int(r, 2019, 2026);
    return pick(r, [
      `${pick(r, DAYS)} ${mon} ${String(d).padStart(2, ' ')} ${clock(r)} ${y}`,
      `${y}-${two(int(r, 1, 12))}-${two(d)} ${clock(r)}.${int(r, 100, 999)} UTC`,
      `${pick(r, DAYS)}, ${two(d)} ${mon} ${y} ${clock(r)} GMT`,
      `${y}-${two(int(r, 1, 12))}-${two(d)}T${clock(r)}.${int(r, 100000, 999999)}+00:00`,
      `${mon} ${d}, ${y}`,
    ]);
  },
  path: (r: R) => pick(r, r() < 0.06 ? SPACED_PATHS : PATHS),
  empty: () => '',
  id: (r: R) => pick(r, [`${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`, String(int(r, 1, 99999)), `job-${hex(r, 6)}`, `${int(r, 1, 999)}:${int(r, 0, 20)}`, `celery@worker-${int(r, 1, 9)}`, `bull:emails:${int(r, 1, 90000)}`]),
  hex: (r: R) => pick(r, [`0x${hex(r, 12)}`, hex(r, 8), `${hex(r, 1).toUpperCase()}/${hex(r, 8).toUpperCase()}`, hex(r, 40)]),
  addr: (r: R) => pick(r, [`${ip(r)}:${int(r, 1024, 65535)}`, `${pick(r, HOSTS)}:${pick(r, [5432, 6379, 8000, 443, 3000])}`, `[::1]:${int(r, 1024, 65535)}`, ip(r), pick(r, HOSTS), `redis://${pick(r, HOSTS)}:6379/${int(r, 0, 15)}`, `http://${pick(r, HOSTS)}:${int(r, 3000, 9000)}/api/v1/tasks/${int(r, 1, 999)}`]),
  ident: (r: R) => pick(r, IDENTS),
  quotedIdent: (r: R) => `"${pick(r, r() < 0.06 ? SPACED_IDENTS : IDENTS)}"`,
  user: (r: R) => pick(r, PEOPLE),
  word: (r: R) => pick(r, WORDS),
  phrase: (r: R) => pick(r, PHRASES),
  dotted: (r: R) => pick(r, DOTTED),
  errno: (r: R) => pick(r, ERRNO),
  list: (r: R) => {
    // A list as programs print one: Python's repr and ', '.join, ','.join, JSON.stringify, words
    // joined by spaces, Node's util.inspect; of ids, names, host:port pairs or numbered nodes.
    const of = int(r, 0, 3);
    const items = Array.from({ length: int(r, 1, 6) }, () => (of === 0 ? String(int(r, 1, 99999)) : of === 1 ? pick(r, IDENTS) : of === 2 ? `${pick(r, HOSTS)}:${pick(r, [5432, 6379, 8000])}` : `web${int(r, 1, 40)}`));
    const q = (x: string) => (of === 0 ? x : `'${x}'`);
    switch (int(r, 0, 5)) {
      case 0: return `[${items.map(q).join(', ')}]`;
      case 1: return items.join(', ');
      case 2: return items.join(',');
      case 3: return JSON.stringify(of === 0 ? items.map(Number) : items);
      case 4: return items.join(' ');
      default: return `[ ${items.map(q).join(', ')} ]`;
    }
  },
  object: (r: R) => pick(r, [`{ id: ${int(r, 1, 999)}, name: '${pick(r, WORDS)}' }`, `{"jobId":"${int(r, 1, 9999)}","attempts":${int(r, 0, 5)}}`, `[ '${pick(r, IDENTS)}', ${int(r, 0, 99)} ]`, `<Request ${hex(r, 6)}>`, `<Connection(host=${pick(r, HOSTS)},port=6379,db=0)>`]),
} satisfies Record<string, (r: R) => string>;
type Shape = keyof typeof SHAPES;

/** The shapes a string slot whose hints say nothing holds, weighted as they come in messages. */
const ANY: Shape[] = ['int', 'int', 'int', 'word', 'word', 'ident', 'ident', 'quotedIdent', 'id', 'id', 'hex', 'addr', 'path', 'size', 'duration', 'date', 'user', 'dotted', 'float', 'object'];
/** The second shapes a slot may take now and then (a value missing, a fallback, an error text). */
const SECOND: Shape[] = ['empty', 'empty', 'int', 'word', 'path', 'size', 'duration', 'date', 'addr', 'hex', 'object', 'phrase', 'quotedIdent'];

/** Hints (a placeholder's name or the word before it) and the shapes they call for. */
const HINTS: [RegExp, Shape[]][] = [
  [/file|path|dir|directory|filename|socket|cwd|module|config/, ['path']],
  [/host|addr|address|server|peer|endpoint|url|uri|bind|listen|broker|node|location|redirect/, ['addr']],
  [/time|duration|elapsed|timeout|delay|interval|second|secs|ms|countdown|ttl|latency/, ['duration']],
  [/date|when|eta|expires|since|until|timestamp/, ['date']],
  [/size|bytes|memory|mem|length|len$|rss|limit/, ['size', 'int']],
  [/^id$|_id$|pid|uuid|task|job|key|worker|request|token|xid|lsn|segment|block/, ['id', 'hex', 'int']],
  [/user|role|owner|login|account/, ['user']],
  [/table|relation|column|index|database|schema|function|type|constraint|sequence|view|trigger|operator|tablespace|extension|name|slot|publication|subscription|collation|queue|exchange|channel|model|field/, ['ident', 'quotedIdent']],
  [/err|exc|reason|error|exception|message|msg|detail|cause/, ['phrase', 'errno']],
  [/class|cls|app|backend|transport|signal|logger/, ['dotted']],
];
/** Hints of a slot that holds a list (a plural name or the word before it), for the list variant. */
const LISTY = /(ids|keys|hosts|nodes|servers|addresses|columns|tables|relations|args|arguments|members|workers|queues|tasks|jobs|names|values|files|items|shards|slots|options|fields|channels|patterns|commands|list|array)$/;

/** The word after a slot that makes it a count (`in %s seconds`, `%s retries`). */
const COUNTED = /^(seconds?|secs?|ms|milliseconds|minutes?|bytes|times|retries|attempts|items|rows|tasks|messages|workers|processes|connections|keys|jobs|nodes|%)$/;

/** What one slot of a format holds in one system: a main shape and, for some, a second one now and then. */
export interface Profile {
  main: Shape;
  second: Shape | null;
  /** Share of the values that take the second shape. */
  rate: number;
}

/** Draws a string slot's profile: the shape its hints call for, or one of any shape. */
export function profileOf(slot: Slot, r: R, lists = false): Profile {
  let shapes: Shape[] | null = null;
  if (lists && LISTY.test(slot.hint)) shapes = ['list'];
  else if (COUNTED.test(slot.next)) shapes = ['int', 'int', 'float'];
  else for (const [re, s] of HINTS) if (re.test(slot.hint)) {
    shapes = s;
    break;
  }
  if (!shapes) shapes = slot.quoted ? ['ident', 'word', 'path', 'id'] : ANY;
  const main = pick(r, shapes);
  const second = r() < 0.35 ? pick(r, SECOND.filter((x) => x !== main)) : null;
  return { main, second, rate: 0.02 + r() * 0.18 };
}

/** A value for one slot: the conversion decides for printf numbers, the profile for strings. */
function value(slot: Slot, profile: Profile, r: R): string {
  switch (slot.conv) {
    case 'd': case 'i': case 'u': {
      const n = r() < 0.03 && slot.conv !== 'u' ? -int(r, 1, 500) : Number(SHAPES.int(r));
      return slot.pad ? String(n).padStart(slot.pad, '0') : String(n);
    }
    case 'x': case 'X': case 'p': {
      const h = r() < 0.3 ? hex(r, int(r, 1, 2)) : hex(r, int(r, 3, 8));
      const v = slot.pad ? h.padStart(slot.pad, '0') : h;
      return slot.conv === 'X' ? v.toUpperCase() : slot.conv === 'p' ? `0x${v}` : v;
    }
    case 'o': case 'O': case 'j': return SHAPES.object(r);
    case 'octal': {
      const v = int(r, 0, 0o7777).toString(8);
      return slot.pad ? v.padStart(slot.pad, '0') : v;
    }
    case 'e': case 'E': return (r() * 1000).toExponential(int(r, 1, 6));
    case 'f': case 'F': case 'g': case 'G': {
      const x = r() * (r() < 0.5 ? 1 : 100000);
      return slot.decimals >= 0 ? x.toFixed(slot.decimals) : slot.conv.toLowerCase() === 'g' ? String(Number(x.toPrecision(6))) : x.toFixed(6);
    }
    case 'c': return pick(r, ['a', 'x', 'Z', '0', ';', '\\']);
    case 'm': return SHAPES.errno(r);
    case 'r': {
      const v = draw(slot, profile, r);
      return /^[\d.-]+$/.test(v) ? v : `'${v}'`;
    }
    default: return draw(slot, profile, r);
  }
}

function draw(slot: Slot, profile: Profile, r: R): string {
  const v = SHAPES[profile.second && r() < profile.rate ? profile.second : profile.main](r);
  // A quoted slot holds the bare text: its quotes are the format's.
  return slot.quoted && v.startsWith('"') ? v.slice(1, -1) : v;
}

/** The slots of a format, for drawing their profiles. */
export const slotsOf = (f: ParsedFormat): Slot[] => f.pieces.filter((p): p is Slot => typeof p !== 'string');

export function fillFormat(f: ParsedFormat, profiles: readonly Profile[], r: R): string {
  let out = '';
  let k = 0;
  for (const p of f.pieces) out += typeof p === 'string' ? p : value(p, profiles[k++]!, r);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The set.

/** Every source's records, by source name (the file name without .jsonl). */
export function loadSources(dir = FORMATS_DIR): Map<string, FormatRecord[]> {
  const out = new Map<string, FormatRecord[]>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.trim() !== '');
    out.set(f.slice(0, -'.jsonl'.length), lines.map((l) => JSON.parse(l) as FormatRecord));
  }
  return out;
}

/** Formats per system: Loghub-2k systems have about 50, Loghub-2.0 systems about 250. */
export const SYSTEM_FORMATS = 100;
/** Lines per system: 60 per format, between 2,000 (Loghub-2k) and 10,000. */
const linesFor = (formats: number) => Math.min(10_000, Math.max(2_000, formats * 60));

/** The labelled systems of one source: its usable formats, split, chunked and filled (the first
 *  `limit` systems of each part when given: a slice for the unit tests). */
export function buildSource(source: string, records: readonly FormatRecord[], limit = Infinity, lists = false): RealSystem[] {
  const parsed = new Map<string, ParsedFormat>();
  for (const rec of records) {
    const p = parseFormat(rec);
    // Two format strings with the same label are one template (`%s` and `%d` in the same place).
    if (p && !parsed.has(p.label)) parsed.set(p.label, p);
  }
  const systems: RealSystem[] = [];
  for (const part of ['tune', 'held'] as const) {
    const formats = [...parsed.values()]
      .filter((p) => isHeld(p.record.format) === (part === 'held'))
      .sort((a, b) => fnv1a(a.label) - fnv1a(b.label) || (a.label < b.label ? -1 : 1));
    const count = Math.ceil(formats.length / SYSTEM_FORMATS);
    for (let i = 0; i < Math.min(count, limit); i++) {
      // Even chunks, so that no system is a small remainder.
      const chunk = formats.slice(Math.floor((i * formats.length) / count), Math.floor(((i + 1) * formats.length) / count));
      const name = count === 1 ? `${source}/${part}` : `${source}/${part}/${i + 1}`;
      systems.push(buildSystem(source, part, name, chunk, linesFor(chunk.length), lists));
    }
  }
  return systems;
}

/** Standard normal draw (Box-Muller), for the log-normal weights. */
const normal = (r: R) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

export function buildSystem(source: string, part: 'tune' | 'held', name: string, formats: readonly ParsedFormat[], n: number, lists = false): RealSystem {
  const r = rng(fnv1a(name));
  // Log-normal weights with a wide spread: counts from 1 to thousands, as in real logs.
  const weights = formats.map(() => Math.exp(2.2 * normal(r)));
  const profiles = formats.map((f) => slotsOf(f).map((slot) => profileOf(slot, r, lists)));
  const total = weights.reduce((a, b) => a + b, 0);
  const messages: string[] = [];
  const labels: string[] = [];
  const owner = new Map<string, string>();
  let collisions = 0;
  const emit = (j: number) => {
    const f = formats[j]!;
    for (let attempt = 0; attempt < 20; attempt++) {
      const m = fillFormat(f, profiles[j]!, r);
      const o = owner.get(m);
      if (o !== undefined && o !== f.label) continue;
      owner.set(m, f.label);
      messages.push(m);
      labels.push(f.label);
      return;
    }
    collisions++;
  };
  for (let j = 0; j < formats.length; j++) emit(j);
  for (let k = formats.length; k < n; k++) {
    let x = r() * total;
    let j = 0;
    while (j < formats.length - 1 && (x -= weights[j]!) >= 0) j++;
    emit(j);
  }
  for (let i = messages.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [messages[i], messages[j]] = [messages[j]!, messages[i]!];
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  return { source, part, name, formats: formats.length, collisions, messages, labels };
}

/** The whole set: every source's systems, both parts (with `lists`, the list variant: slots whose
 *  name says they hold a list take lists of 1 to 6 items, printed as real programs print them). */
export function buildRealSet(dir = FORMATS_DIR, lists = false): RealSystem[] {
  const out: RealSystem[] = [];
  for (const [source, records] of loadSources(dir)) out.push(...buildSource(source, records, Infinity, lists));
  return out;
}
