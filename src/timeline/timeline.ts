// The timeline is the only place that sees every event. It keeps, in bounded memory, what the
// detectors need: templates and their counts, timestamps per template, warning-or-worse events and
// the events detectors declared an interest in (compact copies under a byte budget; a template over
// its share is thinned evenly over time, never cut off at a point; counted beyond), metric series,
// per-minute counts, PostgreSQL statistics. Detectors read its summary, never raw lines.
import type { Level, LogEvent, MetricSample, MetricSeries, InputSummary, SourceKind } from '../model.js';
import { LEVELS, LEVEL_RANK } from '../model.js';
import { TemplateMiner, type Template } from '../templates/miner.js';
import { PostgresStats, type PostgresStatsSummary } from './postgres-stats.js';
import { RequestStats, type RequestStatsSummary } from './request-stats.js';
import { latencyFormatOf } from './request-latency.js';
import { EventCompactor } from './compact-event.js';
import { ProcessSpans, type ProcessSpan } from './process-spans.js';
import { PARTIAL_FORMAT, PARTIAL_VERSION, checkPartial, mergeInputSummaries, type ShapeStatsPartial, type TimelinePartial } from './partial.js';
import { ownString } from '../own-string.js';
import { cutText, redactSyntaxErrorWord } from '../redact.js';
import { levelOfWord } from '../ingest/level.js';
import { inputName, plural } from '../words.js';

/** An event the timeline kept, with the template it belongs to. */
export interface TimelineEvent extends LogEvent {
  template: number;
}

export interface TemplateExample {
  ts: number | null;
  input: number;
  line: number;
  text: string;
}

export interface TemplateSummary extends Template {
  /** Stable across runs: a hash of service and template text. */
  key: string;
  count: number;
  first: number | null;
  last: number | null;
  levels: Record<Level, number>;
  /** Worst level seen among its records. */
  worst: Level;
  examples: TemplateExample[];
  /**
   * Timestamps (epoch ms), sorted: every record's, or for the busiest templates every
   * `timesEvery`-th record's, evenly over the whole input (see TimelineOptions.maxTimesTotal).
   */
  times: Float64Array;
  /** Records whose timestamp is not in `times` (thinned away). */
  timesDropped: number;
  /** 1 when `times` holds every timed record; N (a power of two) when it holds every Nth. */
  timesEvery: number;
  /** Events of this template that qualified to be kept but did not fit (see TimelineOptions.maxEventBytes). */
  eventsDropped: number;
  /**
   * 1 when every qualifying event of the template was kept (as far as the budget allowed); N when
   * it was thinned to every Nth (a power of two), evenly over the whole input.
   */
  keptEvery: number;
}

export interface LevelHistogram {
  bucketMs: number;
  /** Start of the first bucket (epoch ms), or null when no event had a time. */
  start: number | null;
  /** Counts per bucket for each level; arrays have the same length. */
  counts: Record<Level, number[]>;
}

export interface TimelineSummary {
  inputs: InputSummary[];
  /** Input paths by index, for `input:line` references. */
  inputPaths: string[];
  window: { start: number | null; end: number | null };
  services: string[];
  totals: {
    records: number;
    byLevel: Record<Level, number>;
    bySource: Record<SourceKind, number>;
    withoutTime: number;
    /** Records with a time far outside the rest (see timeFences): counted, but outside the window, the histogram, template times and kept events. */
    timeOutliers: number;
    /** Records their source labelled an error (Railway's `error`: written to standard error), and how many of those announce a lower level. */
    labelledError: number;
    labelledErrorNotError: number;
  };
  templates: TemplateSummary[];
  /** Kept events sorted by time (events without a time last, in input order). */
  events: TimelineEvent[];
  /** Events that qualified to be kept but did not fit under the cap. */
  eventsDropped: number;
  /** Estimated heap bytes of the kept events (what `maxEventBytes` bounds). */
  eventsBytes: number;
  metrics: MetricSeries[];
  histogram: LevelHistogram;
  postgres: PostgresStatsSummary;
  /** Request latencies of every line a request logger wrote (request-stats.ts). */
  requests: RequestStatsSummary;
  miner: { maxTemplates: number; overflow: number };
  /** The processes of each service a structured logger named by pid (see process-spans.ts). */
  processes: ProcessSpan[];
}

export interface TimelineOptions {
  maxTemplates?: number;
  /** Kept events at most (warning-or-worse plus declared interests). */
  maxEvents?: number;
  /**
   * Estimated heap bytes of kept events at most. Over it, the template holding the most is thinned
   * (every other of its kept events goes, and from then on it keeps every 2nd, 4th... event).
   */
  maxEventBytes?: number;
  /** Share (0..1] of `maxEventBytes` one template may hold before it is thinned, so that one noisy template cannot crowd out the rest. */
  templateShare?: number;
  /** Templates holding this many kept events or fewer are never thinned (rare templates keep every event). */
  eventsPerTemplateFloor?: number;
  /** Timestamps one template keeps at most: over it, its times are thinned (every other goes, and from then on it keeps every 2nd, 4th... record's). */
  maxTimesPerTemplate?: number;
  /**
   * Total timestamps kept across templates (8 bytes each). Over it, the template holding the most
   * is thinned as above, so the busiest templates are sampled evenly over the whole input and rare
   * ones (a job that runs hourly) keep every time, wherever in the input they appear.
   */
  maxTimesTotal?: number;
  /** Templates holding this many timestamps or fewer are never thinned; past the total with only those left, new times are dropped. */
  timesPerTemplateFloor?: number;
  /** Messages the template miner remembers for exact repeats (see TemplateMiner's `cacheSize`). */
  minerCacheSize?: number;
  /** Messages of info-or-lower level that detectors need (lifecycle markers, PostgreSQL resets...). */
  interests?: readonly RegExp[];
  /** Record the template id of every event in input order (for `templates --per-line`). */
  perLine?: boolean;
  /** The timeline reads a part of the input and hands it over with partial(): keep what merging needs (see Timeline.absorb). */
  part?: boolean;
}

const ERROR_RANK = LEVEL_RANK.error;
const EXAMPLES = 3;
const EXAMPLE_CHARS = 500;
const BUCKET_MS = 60_000;
/**
 * Buckets the level histogram spans at most (~11 days of minutes). A longer span doubles the
 * bucket width until it fits: the histogram's memory is bounded whatever the input's time span
 * (one line dated 1970 among lines of today used to ask for 29 million minutes).
 */
const MAX_BUCKETS = 16_384;
/** Time outliers (see Timeline.timeFences): this many interquartile ranges of the times from the bulk, at least OUTLIER_MIN_MS, at most this share of the timed records. */
const OUTLIER_IQRS = 10;
const OUTLIER_MIN_MS = 30 * 86_400_000;
const OUTLIER_MAX_SHARE = 0.01;

/** The bulk of the records' times, [lo, hi), and the records outside it (before lo, from hi on). */
interface TimeFences {
  lo: number;
  hi: number;
  count: number;
  before: number;
  after: number;
}
/**
 * Kept events' budget: about 55,000 compact events of ~300 bytes, plus a quarter for templates'
 * first events. V8 lets garbage grow to about four times the live heap before a full collection,
 * so every live megabyte costs about five of peak RSS (docs/PERFORMANCE.md, "Memory").
 */
export const DEFAULT_MAX_EVENT_BYTES = 16 * 1024 * 1024;
const DEFAULT_MINER_CACHE = 16_384;

interface Stats {
  count: number;
  first: number | null;
  last: number | null;
  levels: Uint32Array;
  examples: TemplateExample[];
  times: Float64Array;
  nTimes: number;
  timesDropped: number;
  /** Timed records seen, and the thinning stride of the times (a power of two: arrivals that are a multiple of it are kept). */
  timesSeen: number;
  timesStride: number;
  /** Kept events and their estimated bytes, and events that qualified but did not fit. */
  kept: number;
  keptBytes: number;
  eventsDropped: number;
  /** Its kept events, their estimated sizes and thinning keys (see keepEvent). */
  events: TimelineEvent[];
  sizes: number[];
  keys: number[];
  /** A power of two: events whose key is a multiple of it are kept. */
  stride: number;
  qualifying: number;
  /** 1 = keep its info events, 0 = do not, -1 = not decided yet. */
  interest: number;
  /** The request logger its lines are (an index of REQUEST_LATENCY_FORMATS), -1 none, -2 not decided yet. */
  request: number;
}

/** FNV-1a 32-bit hash as 8 hex digits. */
export function hash32(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export class Timeline {
  readonly miner: TemplateMiner;
  private readonly stats: Stats[] = [];
  private dropped = 0;
  private readonly compactor = new EventCompactor();
  /** Kept events across templates and their estimated bytes. */
  private keptCount = 0;
  private keptBytes = 0;
  private readonly maxEvents: number;
  private readonly maxEventBytes: number;
  private readonly maxTemplateBytes: number;
  private readonly floor: number;
  private readonly maxTimesPer: number;
  private readonly maxTimesTotal: number;
  private readonly timesFloor: number;
  private timesTotal = 0;
  /**
   * The detectors' interests, each on its own and without its flags (as when they were one
   * alternation, which drops flags). Joined, they made one expression of some 30,000 characters that
   * V8 tried at every position of a message: about 2 ms per template; on their own, each is searched
   * for by its literal start, 30 times faster (docs/PERFORMANCE.md, "PostgreSQL against pgBadger").
   */
  private readonly interests: readonly RegExp[];
  private readonly inputs: InputSummary[] = [];
  private readonly inputPaths: string[] = [];
  private readonly series = new Map<string, { s: MetricSeries; sorted: boolean }>();
  /**
   * Level counts per bucket of `bucketMs` (a minute, wider over a long span: MAX_BUCKETS): bucket
   * → offset of its LEVELS.length counters in one pool (a typed array per bucket cost ~200 bytes).
   */
  private buckets = new Map<number, number>();
  private bucketPool = new Uint32Array(LEVELS.length * 1024);
  private bucketMs = BUCKET_MS;
  private loBucket = Infinity;
  private hiBucket = -Infinity;
  private lastBucketKey = NaN;
  private lastBucketAt = -1;
  private readonly byLevel = new Uint32Array(LEVELS.length);
  private readonly bySource: Record<SourceKind, number> = { app: 0, platform: 0, postgres: 0, http: 0 };
  private labelledError = 0;
  private labelledErrorNotError = 0;
  private withoutTime = 0;
  private records = 0;
  private start: number | null = null;
  private end: number | null = null;
  /** Where the earliest and the latest timed record are (input, line): to name a time outlier. */
  private startInput = 0;
  private startLine = 0;
  private endInput = 0;
  private endLine = 0;
  /** The times of the records at those places (a metric sample may widen the window past them; see absorb()). */
  private startAtTs: number | null = null;
  private endAtTs: number | null = null;
  private readonly services = new Set<string>();
  private readonly pg: PostgresStats;
  private readonly processes = new ProcessSpans();
  private readonly requests = new RequestStats();
  /** Template id of each record in arrival order (only with `perLine`). */
  readonly perLine: { input: number; line: number; template: number }[] | null;

  constructor(options: TimelineOptions = {}) {
    // A smaller message cache than the miner's default: the cache is live data that is dropped
    // whole when full, and V8 lets old-space garbage grow with the live heap (docs/PERFORMANCE.md, "Memory").
    this.miner = new TemplateMiner({ maxTemplates: options.maxTemplates, cacheSize: options.minerCacheSize ?? DEFAULT_MINER_CACHE });
    this.maxEvents = options.maxEvents ?? 200_000;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.maxTemplateBytes = this.maxEventBytes * Math.min(1, Math.max(0, options.templateShare ?? 0.25));
    this.floor = options.eventsPerTemplateFloor ?? 100;
    this.maxTimesPer = options.maxTimesPerTemplate ?? 50_000;
    this.maxTimesTotal = options.maxTimesTotal ?? 500_000;
    this.timesFloor = options.timesPerTemplateFloor ?? 512;
    this.interests = (options.interests ?? []).map((r) => new RegExp(r.source));
    this.perLine = options.perLine ? [] : null;
    this.pg = new PostgresStats(options.part === true);
  }

  /** Registers an input before its events arrive; returns its index. */
  registerInput(path: string): number {
    this.inputPaths.push(path);
    return this.inputPaths.length - 1;
  }

  addInputSummary(summary: InputSummary): void {
    this.inputs.push(summary);
  }

  /** Adds one event. Hot path: a template lookup, a few counters, an array push for what is kept. */
  event(ev: LogEvent): void {
    // A syntax error quotes the word of its statement it stopped at, which may be a password.
    if (ev.source === 'postgres' && ev.pg?.statement !== undefined && ev.message.charCodeAt(0) === 115 /* s */) ev.message = redactSyntaxErrorWord(ev.message, ev.pg.statement);
    const id = this.miner.add(ev.service, ev.message, ev.source);
    let st = this.stats[id];
    if (st === undefined) {
      st = { count: 0, first: null, last: null, levels: new Uint32Array(LEVELS.length), examples: [], times: new Float64Array(8), nTimes: 0, timesDropped: 0, timesSeen: 0, timesStride: 1, kept: 0, keptBytes: 0, eventsDropped: 0, events: [], sizes: [], keys: [], stride: 1, qualifying: 0, interest: -1, request: -2 };
      this.stats[id] = st;
    }
    const rank = LEVEL_RANK[ev.level];
    st.count++;
    st.levels[rank]!++;
    this.byLevel[rank]!++;
    this.bySource[ev.source]++;
    this.records++;
    const stream = ev.stream;
    if (stream !== undefined && stream !== 'info' && (stream === 'error' || levelOfWord(stream) === 'error')) {
      this.labelledError++;
      if (rank < ERROR_RANK) this.labelledErrorNotError++;
    }
    if (this.perLine !== null) this.perLine.push({ input: ev.input, line: ev.line, template: id });
    const ts = ev.ts;
    if (ts !== null) {
      if (st.first === null || ts < st.first) st.first = ts;
      if (st.last === null || ts > st.last) st.last = ts;
      if (this.start === null || ts < this.start) {
        this.start = ts;
        this.startAtTs = ts;
        this.startInput = ev.input;
        this.startLine = ev.line;
      }
      if (this.end === null || ts > this.end) {
        this.end = ts;
        this.endAtTs = ts;
        this.endInput = ev.input;
        this.endLine = ev.line;
      }
      if (ev.attrs !== undefined && ev.source === 'app') this.processes.see(ev.service, ev.attrs.pid, ts);
      if ((st.timesSeen++ & (st.timesStride - 1)) === 0) this.keepTime(st, ts);
      else st.timesDropped++;
      const key = Math.floor(ts / this.bucketMs);
      if (key !== this.lastBucketKey) this.bucketAt(key, ts);
      this.bucketPool[this.lastBucketAt + rank]!++;
    } else this.withoutTime++;
    if (st.examples.length < EXAMPLES) {
      // An owned copy: a slice of the line would keep the whole read chunk it came from alive.
      st.examples.push({ ts, input: ev.input, line: ev.line, text: ownString(cutText(ev.message, EXAMPLE_CHARS)) });
    }
    if (!this.services.has(ev.service)) this.services.add(ownString(ev.service, Infinity));
    if (ev.source === 'postgres') this.pg.add(ev);
    else if (ev.source !== 'platform') {
      // A template's first line says whether its lines are a request logger's (one test per template).
      if (st.request === -2) st.request = latencyFormatOf(ev);
      if (st.request !== -1) this.requests.add(ev, st.request);
    }
    // Keep warning-or-worse events, and the events detectors asked for.
    let keep = rank >= 3 || ev.source === 'platform';
    if (!keep) {
      if (st.interest === -1) st.interest = this.interests.some((r) => r.test(ev.message)) ? 1 : 0;
      keep = st.interest === 1;
    }
    if (keep) this.keepEvent(ev, id, st);
  }

  /**
   * Keeps a compact copy of the event when its template's stride says so, then thins what is over
   * budget. Thinning rather than keeping the first N: detectors compare rates over the whole
   * input (error bursts against a baseline), and events cut off after the first hours would show
   * a false burst at the start and nothing after. Thinning goes by the event's arrival number
   * within its template (every 2nd, 4th...). Thinning by whole seconds, which keeps bursts within a
   * second whole, was tried: the kept seconds clump, and on postgres-100mb error-cluster reported a
   * burst that is not in the log (docs/PERFORMANCE.md, "Memory").
   */
  private keepEvent(ev: LogEvent, id: number, st: Stats): void {
    const q = st.qualifying++;
    const key = q;
    if ((key & (st.stride - 1)) !== 0) {
      st.eventsDropped++;
      this.dropped++;
      return;
    }
    const c = this.compactor.event(ev, id);
    st.events.push(c.value);
    st.sizes.push(c.bytes);
    st.keys.push(key);
    st.kept++;
    st.keptBytes += c.bytes;
    this.keptCount++;
    this.keptBytes += c.bytes;
    if (st.keptBytes > this.maxTemplateBytes && st.kept > this.floor) this.thin(st);
    while (this.keptBytes > this.maxEventBytes || this.keptCount > this.maxEvents) {
      const big = this.largest();
      if (big !== null) this.thin(big);
      else {
        // Only templates within their floor are left: the newest event goes.
        st.events.pop();
        st.sizes.pop();
        st.keys.pop();
        st.kept--;
        st.keptBytes -= c.bytes;
        this.keptCount--;
        this.keptBytes -= c.bytes;
        st.eventsDropped++;
        this.dropped++;
        break;
      }
    }
  }

  /** The template holding the most kept bytes among those above their floor, or null. */
  private largest(): Stats | null {
    let best: Stats | null = null;
    for (const st of this.stats) if (st !== undefined && st.kept > this.floor && st.stride < 1 << 30 && (best === null || st.keptBytes > best.keptBytes)) best = st;
    return best;
  }

  /**
   * Keeps a timestamp of a template whose stride says so, then thins what is over budget: the
   * template itself when over its own cap, else the template holding the most times. Thinning, not
   * a cut-off: a template's times must span the whole input (error-cluster looks for the first
   * record after a burst, lifecycle and memory-sawtooth for records near a restart).
   */
  private keepTime(st: Stats, ts: number): void {
    if (st.nTimes === st.times.length) {
      const grown = new Float64Array(Math.min(st.times.length * 2, this.maxTimesPer + 1));
      grown.set(st.times);
      st.times = grown;
    }
    st.times[st.nTimes++] = ts;
    this.timesTotal++;
    if (st.nTimes > this.maxTimesPer) this.thinTimes(st);
    if (this.timesTotal > this.maxTimesTotal) {
      const big = this.mostTimes();
      if (big !== null) this.thinTimes(big);
      else {
        // Only templates within their floor are left: this time goes.
        st.nTimes--;
        this.timesTotal--;
        st.timesDropped++;
      }
    }
  }

  /** The template holding the most timestamps among those above their floor, or null. */
  private mostTimes(): Stats | null {
    let best: Stats | null = null;
    for (const st of this.stats) if (st !== undefined && st.nTimes > this.timesFloor && (best === null || st.nTimes > best.nTimes)) best = st;
    return best;
  }

  /**
   * Doubles a template's times stride: its kept times are in arrival order, so every other one goes.
   * The array shrinks to twice what is left, the room growth by doubling gives (its capacity would
   * otherwise stay at its peak: the arrays of thinned templates held 2.5 times their times on a
   * 2 GB input).
   */
  private thinTimes(st: Stats): void {
    const t = st.times;
    const n = st.nTimes;
    let j = 0;
    for (let i = 0; i < n; i += 2) t[j++] = t[i]!;
    if (t.length > 2 * j + 16) st.times = t.slice(0, 2 * j);
    st.nTimes = j;
    st.timesDropped += n - j;
    this.timesTotal -= n - j;
    st.timesStride *= 2;
  }

  /** Doubles a template's stride: keeps the kept events whose key is a multiple of it (about half). */
  private thin(st: Stats): void {
    const e = st.events;
    const sz = st.sizes;
    const k = st.keys;
    const mask = st.stride * 2 - 1;
    let j = 0;
    let bytes = 0;
    for (let i = 0; i < e.length; i++) {
      if ((k[i]! & mask) === 0) {
        e[j] = e[i]!;
        sz[j] = sz[i]!;
        k[j] = k[i]!;
        j++;
      } else bytes += sz[i]!;
    }
    const removed = e.length - j;
    e.length = j;
    sz.length = j;
    k.length = j;
    // Past 2^30 nothing is left to halve (the largest() loop then moves to the next template).
    st.stride = Math.min(st.stride * 2, 1 << 30);
    st.kept = j;
    st.keptBytes -= bytes;
    st.eventsDropped += removed;
    this.keptCount -= removed;
    this.keptBytes -= bytes;
    this.dropped += removed;
  }

  metric(s: MetricSample): void {
    const k = s.service + '\u0000' + s.measurement;
    let e = this.series.get(k);
    if (e === undefined) {
      // Owned: a sample's strings may be slices of the line it came from (Heroku samples in logs).
      e = { s: { service: ownString(s.service), measurement: ownString(s.measurement), unit: ownString(s.unit), ts: [], values: [] }, sorted: true };
      this.series.set(ownString(k), e);
    }
    const n = e.s.ts.length;
    if (n > 0 && s.ts < e.s.ts[n - 1]!) e.sorted = false;
    e.s.ts.push(s.ts);
    e.s.values.push(s.value);
    if (!this.services.has(s.service)) this.services.add(e.s.service);
    if (this.start === null || s.ts < this.start) this.start = s.ts;
    if (this.end === null || s.ts > this.end) this.end = s.ts;
  }

  /**
   * The timeline so far as a partial summary (src/timeline/partial.ts): plain, structured-clonable
   * data that fromPartials() merges with the partials of the parts after it. Copies; the timeline
   * may go on.
   */
  partial(continues = false): TimelinePartial {
    const stats = this.stats.map((st): ShapeStatsPartial | null =>
      st === undefined
        ? null
        : {
            count: st.count,
            first: st.first,
            last: st.last,
            levels: Array.from(st.levels),
            examples: st.examples.map((e) => ({ ...e })),
            times: Array.from(st.times.subarray(0, st.nTimes)),
            timesSeen: st.timesSeen,
            timesStride: st.timesStride,
            events: st.events.slice(),
            sizes: st.sizes.slice(),
            keys: st.keys.slice(),
            stride: st.stride,
            qualifying: st.qualifying,
            eventsDropped: st.eventsDropped,
            interest: st.interest,
            request: st.request,
          },
    );
    const keys: number[] = [];
    const counts: number[] = [];
    for (const [k, at] of [...this.buckets].sort((a, b) => a[0] - b[0])) {
      keys.push(k);
      for (let i = 0; i < LEVELS.length; i++) counts.push(this.bucketPool[at + i]!);
    }
    return {
      format: PARTIAL_FORMAT,
      version: PARTIAL_VERSION,
      inputPaths: this.inputPaths.slice(),
      inputs: this.inputs.map((i) => ({ ...i, warnings: i.warnings.slice() })),
      continues,
      shapes: this.miner.shapeTable(),
      stats,
      totals: {
        records: this.records,
        byLevel: Array.from(this.byLevel),
        bySource: { ...this.bySource },
        withoutTime: this.withoutTime,
        labelledError: this.labelledError,
        labelledErrorNotError: this.labelledErrorNotError,
        eventsDropped: this.dropped,
      },
      window: { start: this.start, end: this.end },
      earliest: this.startAtTs === null ? null : { ts: this.startAtTs, input: this.startInput, line: this.startLine },
      latest: this.endAtTs === null ? null : { ts: this.endAtTs, input: this.endInput, line: this.endLine },
      services: [...this.services],
      metrics: [...this.series.values()].map(({ s, sorted }) => ({ ...s, ts: s.ts.slice(), values: s.values.slice(), sorted })),
      histogram: { bucketMs: this.bucketMs, keys, counts },
      postgres: this.pg.partial(),
      processes: this.processes.partial(),
      requests: this.requests.partial(),
      perLine: this.perLine === null ? null : this.perLine.map((p) => ({ ...p })),
    };
  }

  /** A timeline of the partials' parts, in their order (the same options as the timelines that made them give the same summary as one pass). */
  static fromPartials(partials: readonly TimelinePartial[], options: TimelineOptions = {}): Timeline {
    const t = new Timeline(options);
    for (const p of partials) t.absorb(p);
    return t;
  }

  /**
   * Adds a partial of the part of the input after what this timeline holds: its inputs come after
   * this one's, its shapes are placed as if their messages came now (so template ids are the same
   * whatever the split), and every collector adds its counts. Exact while no budget thinned a
   * part's kept events or times; past a budget, each part's thinning is kept and the merged
   * template thinned further as one pass would (every 2nd, 4th... kept record of each part).
   */
  absorb(p: TimelinePartial): void {
    checkPartial(p);
    const continued = p.continues && this.inputPaths.length > 0;
    const off = this.inputPaths.length - (continued ? 1 : 0);
    for (let i = continued ? 1 : 0; i < p.inputPaths.length; i++) this.inputPaths.push(p.inputPaths[i]!);
    if (continued && p.inputs.length > 0 && this.inputs.length === off + 1) this.inputs[off] = mergeInputSummaries(this.inputs[off]!, p.inputs[0]!);
    for (let i = continued ? 1 : 0; i < p.inputs.length; i++) this.inputs.push(p.inputs[i]!);
    const ids = this.miner.adopt(p.shapes);
    for (let i = 0; i < p.stats.length; i++) {
      const ps = p.stats[i];
      if (ps === null || ps === undefined) continue;
      const id = ids[i]!;
      for (const e of ps.examples) e.input += off;
      for (const e of ps.events) {
        e.input += off;
        e.template = id;
      }
      this.absorbStats(id, ps);
    }
    const t = p.totals;
    this.records += t.records;
    for (let i = 0; i < LEVELS.length; i++) this.byLevel[i]! += t.byLevel[i]!;
    for (const k of Object.keys(t.bySource) as SourceKind[]) this.bySource[k] += t.bySource[k];
    this.withoutTime += t.withoutTime;
    this.labelledError += t.labelledError;
    this.labelledErrorNotError += t.labelledErrorNotError;
    this.dropped += t.eventsDropped;
    // One pass moves a place only for a record earlier (later) than all before it.
    if (p.earliest !== null && (this.start === null || p.earliest.ts < this.start)) {
      this.startAtTs = p.earliest.ts;
      this.startInput = p.earliest.input + off;
      this.startLine = p.earliest.line;
    }
    if (p.latest !== null && (this.end === null || p.latest.ts > this.end)) {
      this.endAtTs = p.latest.ts;
      this.endInput = p.latest.input + off;
      this.endLine = p.latest.line;
    }
    if (p.window.start !== null && (this.start === null || p.window.start < this.start)) this.start = p.window.start;
    if (p.window.end !== null && (this.end === null || p.window.end > this.end)) this.end = p.window.end;
    for (const svc of p.services) this.services.add(svc);
    for (const m of p.metrics) {
      const k = m.service + '\u0000' + m.measurement;
      const e = this.series.get(k);
      if (e === undefined) {
        this.series.set(k, { s: { service: m.service, measurement: m.measurement, unit: m.unit, ts: m.ts, values: m.values }, sorted: m.sorted });
        continue;
      }
      const n = e.s.ts.length;
      if (!m.sorted || (n > 0 && m.ts.length > 0 && m.ts[0]! < e.s.ts[n - 1]!)) e.sorted = false;
      for (let i = 0; i < m.ts.length; i++) {
        e.s.ts.push(m.ts[i]!);
        e.s.values.push(m.values[i]!);
      }
    }
    this.absorbHistogram(p.histogram);
    this.pg.absorb(p.postgres, off);
    this.processes.absorb(p.processes);
    this.requests.absorb(p.requests, off);
    if (this.perLine !== null && p.perLine !== null) for (const l of p.perLine) this.perLine.push({ input: l.input + off, line: l.line, template: ids[l.template]! });
    this.enforceBudgets();
  }

  /** Adds a partial's statistics of a shape to its statistics here (the partial's part came after). */
  private absorbStats(id: number, ps: ShapeStatsPartial): void {
    let st = this.stats[id];
    const times = Float64Array.from(ps.times);
    if (st === undefined) {
      st = {
        count: ps.count,
        first: ps.first,
        last: ps.last,
        levels: Uint32Array.from(ps.levels),
        examples: ps.examples,
        times: times.length > 0 ? times : new Float64Array(8),
        nTimes: times.length,
        timesDropped: ps.timesSeen - times.length,
        timesSeen: ps.timesSeen,
        timesStride: ps.timesStride,
        kept: ps.events.length,
        keptBytes: ps.sizes.reduce((a, b) => a + b, 0),
        eventsDropped: ps.eventsDropped,
        events: ps.events,
        sizes: ps.sizes,
        keys: ps.keys,
        stride: ps.stride,
        qualifying: ps.qualifying,
        interest: ps.interest,
        request: ps.request,
      };
      this.stats[id] = st;
      this.timesTotal += st.nTimes;
      this.keptCount += st.kept;
      this.keptBytes += st.keptBytes;
      return;
    }
    st.count += ps.count;
    if (ps.first !== null && (st.first === null || ps.first < st.first)) st.first = ps.first;
    if (ps.last !== null && (st.last === null || ps.last > st.last)) st.last = ps.last;
    for (let i = 0; i < LEVELS.length; i++) st.levels[i]! += ps.levels[i]!;
    for (const e of ps.examples) if (st.examples.length < EXAMPLES) st.examples.push(e);
    if (st.interest === -1) st.interest = ps.interest;
    if (st.request === -2) st.request = ps.request;
    // Times: both parts thinned to the larger stride (every other kept time of the part with the smaller one goes, per doubling).
    const stride = Math.max(st.timesStride, ps.timesStride);
    const mine = thinned(st.times.subarray(0, st.nTimes), stride / st.timesStride);
    const theirs = thinned(times, stride / ps.timesStride);
    const all = new Float64Array(Math.max(8, mine.length + theirs.length));
    all.set(mine);
    all.set(theirs, mine.length);
    this.timesTotal += mine.length + theirs.length - st.nTimes;
    st.times = all;
    st.nTimes = mine.length + theirs.length;
    st.timesSeen += ps.timesSeen;
    st.timesStride = stride;
    st.timesDropped = st.timesSeen - st.nTimes;
    // Kept events: the part with the smaller stride thinned to the larger (by its arrival numbers), then appended.
    const eStride = Math.max(st.stride, ps.stride);
    this.thinTo(st, eStride);
    const mask = eStride - 1;
    for (let i = 0; i < ps.events.length; i++) {
      if ((ps.keys[i]! & mask) !== 0) {
        st.eventsDropped++;
        this.dropped++;
        continue;
      }
      st.events.push(ps.events[i]!);
      st.sizes.push(ps.sizes[i]!);
      st.keys.push(ps.keys[i]!);
      st.kept++;
      st.keptBytes += ps.sizes[i]!;
      this.keptCount++;
      this.keptBytes += ps.sizes[i]!;
    }
    st.eventsDropped += ps.eventsDropped;
    st.qualifying += ps.qualifying;
  }

  /** Thins a template's kept events until its stride is `stride`. */
  private thinTo(st: Stats, stride: number): void {
    while (st.stride < stride) this.thin(st);
  }

  /** After a merge: the budgets one pass keeps (a template's share and cap, the totals), by the same thinning. */
  private enforceBudgets(): void {
    for (const st of this.stats) {
      if (st === undefined) continue;
      while (st.keptBytes > this.maxTemplateBytes && st.kept > this.floor && st.stride < 1 << 30) this.thin(st);
      while (st.nTimes > this.maxTimesPer) this.thinTimes(st);
    }
    while (this.keptBytes > this.maxEventBytes || this.keptCount > this.maxEvents) {
      const big = this.largest();
      if (big === null) break;
      this.thin(big);
    }
    while (this.timesTotal > this.maxTimesTotal) {
      const big = this.mostTimes();
      if (big === null) break;
      this.thinTimes(big);
    }
  }

  /** Adds a partial's level histogram: both at the wider bucket width, widened again while the span is over MAX_BUCKETS. */
  private absorbHistogram(h: TimelinePartial['histogram']): void {
    if (h.keys.length === 0) return;
    while (this.bucketMs < h.bucketMs) this.widenBuckets();
    for (let j = 0; j < h.keys.length; j++) {
      // The bucket's start: at this width (a multiple of the partial's) it falls in the bucket holding it.
      const ts = h.keys[j]! * h.bucketMs;
      this.lastBucketKey = NaN;
      this.bucketAt(Math.floor(ts / this.bucketMs), ts);
      for (let i = 0; i < LEVELS.length; i++) this.bucketPool[this.lastBucketAt + i]! += h.counts[j * LEVELS.length + i]!;
    }
    this.lastBucketKey = NaN;
  }

  /** The summary detectors and reports read. Call once, after all inputs. */
  finish(): TimelineSummary {
    // The miner's final templates: online ids that were merged resolve to one dense final id,
    // so their statistics, kept events and per-line entries move to it.
    const fin = this.miner.finalize();
    const finalStats: (Stats | undefined)[] = new Array(fin.templates.length);
    for (let id = 0; id < this.stats.length; id++) {
      const st = this.stats[id];
      if (st === undefined) continue;
      const f = fin.idOf(id);
      const prev = finalStats[f];
      finalStats[f] = prev === undefined ? st : mergeStats(prev, st);
    }
    const kept: TimelineEvent[] = [];
    for (const st of this.stats) if (st !== undefined) for (const e of st.events) kept.push(e);
    for (const e of kept) e.template = fin.idOf(e.template);
    if (this.perLine !== null) for (const p of this.perLine) p.template = fin.idOf(p.template);
    const templates: TemplateSummary[] = fin.templates.map((t) => {
      const st = finalStats[t.id];
      const levels = {} as Record<Level, number>;
      let worst: Level = 'trace';
      for (let i = 0; i < LEVELS.length; i++) {
        const c = st ? st.levels[i]! : 0;
        levels[LEVELS[i]!] = c;
        if (c > 0) worst = LEVELS[i]!;
      }
      // Sorted in place, not copied: the timeline ends here, and a copy of up to 4 MB of times
      // was most of what the end of a long run added to its peak memory.
      const times = st ? st.times.subarray(0, st.nTimes).sort() : new Float64Array(0);
      return {
        ...t,
        key: 't' + hash32(t.service + '\u0000' + t.text),
        count: st?.count ?? 0,
        first: st?.first ?? null,
        last: st?.last ?? null,
        levels,
        worst,
        examples: st?.examples ?? [],
        times,
        timesDropped: st?.timesDropped ?? 0,
        timesEvery: st?.timesStride ?? 1,
        eventsDropped: st?.eventsDropped ?? 0,
        keptEvery: st?.stride ?? 1,
      };
    });
    const fences = this.timeFences();
    let window = { start: this.start, end: this.end };
    let histogram = this.histogram();
    let metrics = [...this.series.values()].map(({ s, sorted }) => (sorted ? s : sortSeries(s)));
    let keptTimed = kept.filter((e) => e.ts !== null);
    if (fences !== null) {
      const { lo, hi } = fences;
      const inside = (ts: number) => ts >= lo && ts < hi;
      for (const tp of templates) {
        const a = lowerBound(tp.times, lo);
        const b = lowerBound(tp.times, hi);
        if (a > 0 || b < tp.times.length) tp.times = tp.times.subarray(a, b);
        // A template's first and last are exact unless they are outliers; then its kept times tell.
        if (tp.first !== null && !inside(tp.first)) tp.first = tp.times.length > 0 ? tp.times[0]! : null;
        if (tp.last !== null && !inside(tp.last)) tp.last = tp.times.length > 0 ? tp.times[tp.times.length - 1]! : null;
      }
      keptTimed = keptTimed.filter((e) => inside(e.ts!));
      metrics = metrics.map((m) => clipSeries(m, lo, hi)).filter((m) => m.ts.length > 0);
      window = windowOf(templates, metrics);
      histogram = this.bulkHistogram(templates, window);
      this.warnTimeOutliers(fences, window);
    }
    const timed = keptTimed.sort((a, b) => a.ts! - b.ts! || a.input - b.input || a.line - b.line);
    // Events without a time stay in input order.
    const untimed = kept.filter((e) => e.ts === null).sort((a, b) => a.input - b.input || a.line - b.line);
    metrics.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.measurement < b.measurement ? -1 : a.measurement > b.measurement ? 1 : 0));
    const byLevel = {} as Record<Level, number>;
    LEVELS.forEach((l, i) => (byLevel[l] = this.byLevel[i]!));
    return {
      inputs: this.inputs,
      inputPaths: this.inputPaths,
      window,
      services: [...this.services].sort(),
      totals: {
        records: this.records,
        byLevel,
        bySource: { ...this.bySource },
        withoutTime: this.withoutTime,
        timeOutliers: fences?.count ?? 0,
        labelledError: this.labelledError,
        labelledErrorNotError: this.labelledErrorNotError,
      },
      templates,
      events: timed.concat(untimed),
      eventsDropped: this.dropped,
      eventsBytes: this.keptBytes,
      metrics,
      histogram,
      postgres: this.pg.summary(fences),
      requests: this.requests.summary(),
      miner: { maxTemplates: this.miner.maxTemplates, overflow: this.miner.overflowCount },
      processes: this.processes.summary(),
    };
  }

  /**
   * Where the bulk of the records' times lies, and whether a few records are far outside it: a
   * line dated 1970 or 2099 among a day of logs stretched the window to tens of thousands of days,
   * which made steady errors look like bursts. The rule, on the per-minute histogram (bounded
   * memory, read once at the end): the bulk is the interquartile range Q1..Q3 of the timed
   * records; a record is an outlier when it lies further from it than ten interquartile ranges
   * and at least 30 days, provided such records are at most 1% of the timed ones (more than that
   * is part of the logs, not a stray clock). The fences are rounded outward to whole buckets, and
   * to whole slices of the PostgreSQL statistics when there are PostgreSQL records.
   * Null when nothing is outside.
   */
  private timeFences(): TimeFences | null {
    if (this.buckets.size < 2) return null;
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    const totals = keys.map((k) => {
      const at = this.buckets.get(k)!;
      let n = 0;
      for (let i = 0; i < LEVELS.length; i++) n += this.bucketPool[at + i]!;
      return n;
    });
    const n = totals.reduce((a, b) => a + b, 0);
    const keyAt = (q: number): number => {
      let c = 0;
      for (let i = 0; i < keys.length; i++) if ((c += totals[i]!) >= q * n) return keys[i]!;
      return keys[keys.length - 1]!;
    };
    const w = this.bucketMs;
    const q1 = keyAt(0.25) * w;
    const q3 = (keyAt(0.75) + 1) * w;
    const margin = Math.max(OUTLIER_IQRS * (q3 - q1), OUTLIER_MIN_MS);
    // The PostgreSQL statistics are kept per time slice: fences on slice boundaries leave whole slices out.
    const r = this.bySource.postgres > 0 ? Math.max(w, this.pg.sliceMs) : w;
    const lo = Math.floor((q1 - margin) / r) * r;
    const hi = Math.ceil((q3 + margin) / r) * r;
    let before = 0;
    let after = 0;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i]! * w < lo) before += totals[i]!;
      else if (keys[i]! * w >= hi) after += totals[i]!;
    }
    const count = before + after;
    if (count === 0 || count > n * OUTLIER_MAX_SHARE) return null;
    return { lo, hi, count, before, after };
  }

  /** The outliers, named in the warnings of the input holding the most extreme one. */
  private warnTimeOutliers(f: TimeFences, window: { start: number | null; end: number | null }): void {
    const minute = (ts: number) => `${new Date(ts).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const at = (input: number, line: number, ts: number | null) => `${inputName(this.inputPaths[input] ?? '?')}:${line}, ${ts === null ? '?' : minute(ts)}`;
    const named: string[] = [];
    if (f.before > 0) named.push(`the earliest at ${at(this.startInput, this.startLine, this.start)}`);
    if (f.after > 0) named.push(`the latest at ${at(this.endInput, this.endLine, this.end)}`);
    const bulk = window.start !== null && window.end !== null ? ` (the rest runs from ${minute(window.start)} to ${minute(window.end)})` : '';
    const message = `${plural(f.count, 'record')} dated far outside the rest of the logs${bulk}: counted, but left out of the window, the timeline, the PostgreSQL statistics and the detectors' statistics; ${named.join('; ')}`;
    const input = this.inputs[f.before > 0 ? this.startInput : this.endInput] ?? this.inputs[0];
    input?.warnings.push(message);
  }

  /**
   * The histogram over the bulk's window. When outliers widened its buckets (they span decades),
   * it is made again at the bulk's own resolution from the templates' kept times (a thinned
   * template's times weighted by its stride, each level's records spread evenly over its times).
   */
  private bulkHistogram(templates: readonly TemplateSummary[], window: { start: number | null; end: number | null }): LevelHistogram {
    const h = this.histogram();
    if (window.start === null || window.end === null || h.start === null) return h;
    const from = window.start;
    const to = window.end;
    let bucketMs = BUCKET_MS;
    while (to - from >= MAX_BUCKETS * bucketMs) bucketMs *= 2;
    if (bucketMs === h.bucketMs) {
      const a = Math.max(0, Math.floor((from - h.start) / h.bucketMs));
      const b = Math.max(a, Math.floor((to - h.start) / h.bucketMs) + 1);
      const counts = {} as Record<Level, number[]>;
      for (const l of LEVELS) counts[l] = h.counts[l].slice(a, b);
      return { bucketMs: h.bucketMs, start: h.start + a * h.bucketMs, counts };
    }
    const first = Math.floor(from / bucketMs);
    const last = Math.floor(to / bucketMs);
    const counts = {} as Record<Level, number[]>;
    for (const l of LEVELS) counts[l] = new Array<number>(last - first + 1).fill(0);
    for (const tp of templates) {
      if (tp.times.length === 0 || tp.count === 0) continue;
      for (const l of LEVELS) {
        if (tp.levels[l] === 0) continue;
        // Spread evenly over its times, whole records each (the running total rounded), so that
        // a template's errors add up to its errors.
        const per = (tp.levels[l] / tp.count) * tp.timesEvery;
        const c = counts[l];
        let acc = 0;
        let put = 0;
        for (const ts of tp.times) {
          acc += per;
          const upTo = Math.round(acc);
          if (upTo > put) {
            c[Math.min(last, Math.max(first, Math.floor(ts / bucketMs))) - first]! += upTo - put;
            put = upTo;
          }
        }
      }
    }
    return { bucketMs, start: first * bucketMs, counts };
  }

  private bucketAt(key: number, ts: number): void {
    let at = this.buckets.get(key);
    if (at === undefined) {
      if (key < this.loBucket) this.loBucket = key;
      if (key > this.hiBucket) this.hiBucket = key;
      if (this.hiBucket - this.loBucket >= MAX_BUCKETS) {
        while (this.hiBucket - this.loBucket >= MAX_BUCKETS) this.widenBuckets();
        key = Math.floor(ts / this.bucketMs);
        at = this.buckets.get(key);
      }
    }
    if (at === undefined) {
      at = this.buckets.size * LEVELS.length;
      if (at === this.bucketPool.length) {
        const grown = new Uint32Array(this.bucketPool.length * 2);
        grown.set(this.bucketPool);
        this.bucketPool = grown;
      }
      this.buckets.set(key, at);
    }
    this.lastBucketAt = at;
    this.lastBucketKey = key;
  }

  /** Doubles the width of the histogram's buckets, adding up the counts of each pair. */
  private widenBuckets(): void {
    const old = this.bucketPool;
    const pool = new Uint32Array(old.length);
    const buckets = new Map<number, number>();
    for (const [k, at] of this.buckets) {
      const nk = Math.floor(k / 2);
      let to = buckets.get(nk);
      if (to === undefined) {
        to = buckets.size * LEVELS.length;
        buckets.set(nk, to);
      }
      for (let i = 0; i < LEVELS.length; i++) pool[to + i]! += old[at + i]!;
    }
    this.buckets = buckets;
    this.bucketPool = pool;
    this.bucketMs *= 2;
    this.loBucket = Math.floor(this.loBucket / 2);
    this.hiBucket = Math.floor(this.hiBucket / 2);
    this.lastBucketKey = NaN;
  }

  private histogram(): LevelHistogram {
    const counts = {} as Record<Level, number[]>;
    for (const l of LEVELS) counts[l] = [];
    if (this.buckets.size === 0) return { bucketMs: this.bucketMs, start: null, counts };
    // The first and last buckets, kept up to date as buckets are made and widened.
    const lo = this.loBucket;
    const n = this.hiBucket - lo + 1;
    for (const l of LEVELS) counts[l] = new Array<number>(n).fill(0);
    const pool = this.bucketPool;
    for (const [k, at] of this.buckets) {
      for (let i = 0; i < LEVELS.length; i++) if (pool[at + i]! > 0) counts[LEVELS[i]!][k - lo] = pool[at + i]!;
    }
    return { bucketMs: this.bucketMs, start: lo * this.bucketMs, counts };
  }
}

/** Statistics of two online templates the miner merged into one. */
function mergeStats(a: Stats, b: Stats): Stats {
  const levels = new Uint32Array(a.levels.length);
  for (let i = 0; i < levels.length; i++) levels[i] = a.levels[i]! + b.levels[i]!;
  const times = new Float64Array(a.nTimes + b.nTimes);
  times.set(a.times.subarray(0, a.nTimes));
  times.set(b.times.subarray(0, b.nTimes), a.nTimes);
  const examples = a.examples.concat(b.examples).sort((x, y) => x.input - y.input || x.line - y.line).slice(0, EXAMPLES);
  const minOf = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.min(x, y));
  const maxOf = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  return {
    count: a.count + b.count,
    first: minOf(a.first, b.first),
    last: maxOf(a.last, b.last),
    levels,
    examples,
    times,
    nTimes: times.length,
    timesDropped: a.timesDropped + b.timesDropped,
    timesSeen: a.timesSeen + b.timesSeen,
    timesStride: Math.max(a.timesStride, b.timesStride),
    kept: a.kept + b.kept,
    keptBytes: a.keptBytes + b.keptBytes,
    eventsDropped: a.eventsDropped + b.eventsDropped,
    events: [],
    sizes: [],
    keys: [],
    stride: Math.max(a.stride, b.stride),
    qualifying: a.qualifying + b.qualifying,
    interest: Math.max(a.interest, b.interest),
    request: a.request >= 0 ? a.request : b.request,
  };
}

/** Every `every`-th of `times` (from the first). */
function thinned(times: Float64Array, every: number): Float64Array {
  if (every === 1) return times;
  const out = new Float64Array(Math.ceil(times.length / every));
  for (let i = 0, j = 0; i < times.length; i += every) out[j++] = times[i]!;
  return out;
}

function sortSeries(s: MetricSeries): MetricSeries {
  const idx = s.ts.map((_, i) => i).sort((a, b) => s.ts[a]! - s.ts[b]!);
  return { ...s, ts: idx.map((i) => s.ts[i]!), values: idx.map((i) => s.values[i]!) };
}

/** First index of sorted `a` whose value is >= x. */
function lowerBound(a: Float64Array, x: number): number {
  let l = 0;
  let h = a.length;
  while (l < h) {
    const m = (l + h) >>> 1;
    if (a[m]! < x) l = m + 1;
    else h = m;
  }
  return l;
}

/** A sorted series restricted to [lo, hi). */
function clipSeries(s: MetricSeries, lo: number, hi: number): MetricSeries {
  const a = s.ts.findIndex((t) => t >= lo);
  if (a === 0 && s.ts[s.ts.length - 1]! < hi) return s;
  let b = s.ts.length;
  while (b > 0 && s.ts[b - 1]! >= hi) b--;
  const from = a === -1 ? b : a;
  return { ...s, ts: s.ts.slice(from, b), values: s.values.slice(from, b) };
}

/** The window of what is left: templates' first and last times and the metric series' ends. */
function windowOf(templates: readonly TemplateSummary[], metrics: readonly MetricSeries[]): { start: number | null; end: number | null } {
  let start: number | null = null;
  let end: number | null = null;
  for (const t of templates) {
    if (t.first !== null && (start === null || t.first < start)) start = t.first;
    if (t.last !== null && (end === null || t.last > end)) end = t.last;
  }
  for (const m of metrics) {
    if (start === null || m.ts[0]! < start) start = m.ts[0]!;
    if (end === null || m.ts[m.ts.length - 1]! > end) end = m.ts[m.ts.length - 1]!;
  }
  return { start, end };
}
