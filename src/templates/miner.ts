// The template miner: groups messages into templates ("Request failed: GET <*>"), per service.
//
// Three layers, each cheaper than the next is rare:
//  1. an exact-message cache (bounded) answers repeated messages with one Map lookup;
//  2. the masker (mask.ts) turns a new message into its shape (variable tokens → `<*>`); a shape
//     seen before maps straight to its cluster;
//  3. a new shape joins a generalised cluster whose template matches it, or starts a cluster.
// Clusters that differ in one word are "siblings" (same tokens except at one position). When a
// position takes many different words (ONLINE_DISTINCT) the siblings merge at once; the rest is
// decided in `finalize()` with every count known (the passes in finalize.ts). Merges go through
// a union-find (clusters.ts), so an id handed out online always resolves to its final template;
// finalize() numbers the final templates densely in order of first appearance. Which template
// token stands for which word is token-match.ts.
//
// `add()` returns the id of the message's shape (its mask-level key), not of its cluster: counts
// are kept per shape, and a shape's cluster is decided once, when the shape is first seen, from
// what the shape table records (ShapeEntry). So the shapes of several miners (parts of one input,
// see Timeline.partial) merge exactly: `adopt()` places another miner's shapes in its order of
// first appearance, as one miner seeing the parts one after the other would have, and the
// clusters, counts and final ids come out the same whatever the split.
import type { SourceKind } from '../model.js';
import { WILDCARD, hasEmptyTail, hashShape, maskHash, maskMessage } from './mask.js';
import { Clusters } from './clusters.js';
import { finalizeClusters } from './finalize.js';
import { extractParams, hashTok, textOf } from './token-match.js';
import { StatementCache, normalizeSql } from './sql-normalize.js';
import { ownString } from '../own-string.js';
import { redactSecrets } from '../redact.js';

export interface Template {
  /** Dense id in order of creation: deterministic for the same input. */
  id: number;
  service: string;
  source: SourceKind;
  /** The template text with `<*>` for each variable. */
  text: string;
  /** True when the message ends where its variable part should be ("Materialization loop error: "). */
  emptyTail: boolean;
}

export interface MinerOptions {
  /** Templates kept at most; messages beyond go to one overflow template per service. */
  maxTemplates?: number;
  /** Distinct messages remembered for the exact-message fast path (cleared when full). */
  cacheSize?: number;
}

/** The templates after `finalize()`: dense ids, and the map from the ids `add()` returned. */
export interface FinalTemplates {
  templates: Template[];
  /** Final id of an id returned by `add()`. */
  idOf: (id: number) => number;
}

/**
 * A shape as the miner first saw it: what placing it in a cluster reads (a pure function of the
 * first message of that shape), and the messages counted under it. Plain data (structured-clonable).
 */
export interface ShapeEntry {
  service: string;
  source: SourceKind;
  /** The shape's hash (maskHash/hashShape seeded by the service): its identity. */
  key: number;
  /** The shape (tokens joined by spaces). */
  shape: string;
  /** The shape of the message with its secrets redacted and that shape's hash, when they differ from the shape's. */
  clean: string | null;
  cleanKey: number;
  emptyTail: boolean;
  /** A PostgreSQL statement (grouped by its normalised SQL exactly). */
  exact: boolean;
  /** The messages of a service that found no room in the shape table (one entry per service). */
  overflow: boolean;
  count: number;
}

export const DEFAULT_MAX_TEMPLATES = 5000;
const DEFAULT_CACHE = 100_000;
/** Lookups per window of the cache's hit accounting. */
const CACHE_WINDOW = 16_384;
/** Bits of the cache's doorkeeper (64 KiB): few false "seen before" among the messages of one cache generation. */
const DOORKEEPER_BITS = 1 << 19;
/** The text of the overflow templates (messages beyond the template cap). */
export const OVERFLOW_TEXT = '<overflow: template cap reached>';

/** Where the SQL of a PostgreSQL message starts ("statement: ", "execute <name>: "...), or -1. */
export function sqlStart(msg: string): number {
  const s = msg.indexOf('statement: ');
  if (s !== -1) return s + 11;
  for (const verb of ['execute ', 'parse ', 'bind ']) {
    const v = msg.indexOf(verb);
    if (v !== -1 && (v === 0 || msg.charCodeAt(v - 1) === 32)) {
      const c = msg.indexOf(': ', v + verb.length);
      if (c !== -1 && c - v < 80) return c + 2;
    }
  }
  return -1;
}

/** A statement normalised for a template: like pgBadger, with `<*>` for its values. */
export function shapeOfSql(sql: string): string {
  return normalizeSql(sql, { placeholder: WILDCARD });
}

/** Shape of a PostgreSQL message: the text before the SQL masked, the SQL normalised like pgBadger (through `statements`, a cache of shapeOfSql). */
export function postgresShape(msg: string, statements: StatementCache): string {
  const s = sqlStart(msg);
  if (s === -1) return maskMessage(msg);
  const head = maskMessage(msg, 0, s);
  const sql = statements.get(msg.slice(s));
  return head.length === 0 ? sql : sql.length === 0 ? head : head + ' ' + sql;
}

export class TemplateMiner {
  readonly maxTemplates: number;
  private readonly cacheSize: number;
  private readonly cs = new Clusters();
  private readonly clusters = this.cs.clusters;
  private readonly parent = this.cs.parent;
  private created = 0;
  /** The shapes by id (what add() returns), the cluster each was placed in, and its messages. */
  private readonly entries: ShapeEntry[] = [];
  private readonly shapeCluster: number[] = [];
  private readonly shapeCounts: number[] = [];
  private readonly overflowShapes = new Map<string, number>();
  private readonly caches = new Map<string, Map<string, number>>();
  private cached = 0;
  private lastService: string | null = null;
  private lastCache: Map<string, number> | null = null;
  /** Shape hash (53 bits, seeded by the service) → shape id. */
  private readonly shapes = new Map<number, number>();
  private lastSeed = 0;
  /** Cache hit accounting: inserting stops for a window when messages do not repeat. */
  private lookups = 0;
  private hits = 0;
  private caching = true;
  private paused = 0;
  private readonly maxShapes: number;
  private readonly overflowIds = new Map<string, number>();
  /** Shapes of PostgreSQL statements by their text (a duration line's message is new every time; its statement seldom is). */
  private readonly statementShapes = new StatementCache(shapeOfSql);
  /**
   * The cache's doorkeeper (as in TinyLFU): one bit per message hash. A message enters the cache
   * on its second sighting, so messages that never repeat (durations, ids) are not copied into it:
   * each copy would outlive a young-generation collection and be promoted, and on postgres-100mb
   * those copies were 300 MB of old-space garbage (docs/PERFORMANCE.md, "Memory").
   */
  private readonly doorkeeper = new Int32Array(DOORKEEPER_BITS >>> 5);
  private doorkeeperSet = 0;

  constructor(options: MinerOptions = {}) {
    this.maxTemplates = Math.max(1, options.maxTemplates ?? DEFAULT_MAX_TEMPLATES);
    this.cacheSize = options.cacheSize ?? DEFAULT_CACHE;
    this.maxShapes = this.maxTemplates * 16;
  }

  /** Shape id of a message (see the header: its template is `template(id)`, or `idOf(id)` after finalize()), placing the shape when it is new. */
  add(service: string, message: string, source: SourceKind = 'app'): number {
    let cache = this.lastCache;
    if (service !== this.lastService || cache === null) {
      cache = this.caches.get(service) ?? null;
      if (cache === null) {
        cache = new Map();
        this.caches.set(ownString(service), cache);
      }
      this.lastService = service;
      this.lastCache = cache;
      this.lastSeed = hashShape(service, 0x9e3779b9) >>> 0;
    }
    let id = cache.get(message);
    if (++this.lookups === CACHE_WINDOW) {
      // Varied messages (every one new) would pay for inserts that never hit: pause inserting
      // for the next window when fewer than one lookup in eight hit.
      this.caching = this.hits * 8 >= this.lookups || ++this.paused % 8 === 0;
      this.lookups = 0;
      this.hits = 0;
    }
    if (id === undefined) {
      id = this.shapeOf(service, message, source);
      if (this.caching && this.seenBefore(message)) {
        if (this.cached >= this.cacheSize) {
          for (const c of this.caches.values()) c.clear();
          this.cached = 0;
          this.doorkeeper.fill(0);
          this.doorkeeperSet = 0;
        }
        // An owned copy as the key: the message is a slice of its line, and a cached slice would
        // keep the whole line (or read chunk) it came from alive as long as the cache holds it.
        cache.set(ownString(message), id);
        this.cached++;
      }
    } else this.hits++;
    this.shapeCounts[id]!++;
    return id;
  }

  /** True when a message with the same hash was seen since the cache was last cleared; marks it seen. */
  private seenBefore(message: string): boolean {
    const bit = hashTok(message, this.lastSeed) & (DOORKEEPER_BITS - 1);
    const word = bit >>> 5;
    const mask = 1 << (bit & 31);
    if ((this.doorkeeper[word]! & mask) !== 0) return true;
    // Start afresh when an eighth of the bits are set, before false "seen" answers pile up.
    if (++this.doorkeeperSet > DOORKEEPER_BITS >>> 3) {
      this.doorkeeper.fill(0);
      this.doorkeeperSet = 1;
    }
    this.doorkeeper[word]! |= mask;
    return false;
  }

  /** Messages that found no room (counted in the overflow templates). */
  get overflowCount(): number {
    let n = 0;
    for (let s = 0; s < this.entries.length; s++) if (this.clusters[this.shapeCluster[s]!]!.overflow) n += this.shapeCounts[s]!;
    return n;
  }

  /** The template an id returned by `add()` belongs to now. */
  template(id: number): Template {
    return this.view(this.cs.find(this.shapeCluster[id]!));
  }

  /** The current templates (one per live cluster), in order of creation. */
  templates(): readonly Template[] {
    const out: Template[] = [];
    for (let i = 0; i < this.clusters.length; i++) if (this.parent[i] === i) out.push(this.view(i));
    return out;
  }

  /** Messages added to the template of `id` so far (its merged clusters included). */
  count(id: number): number {
    const root = this.cs.find(this.shapeCluster[id]!);
    let n = 0;
    for (let s = 0; s < this.entries.length; s++) if (this.cs.find(this.shapeCluster[s]!) === root) n += this.shapeCounts[s]!;
    return n;
  }

  /**
   * The variable parts of `message` under the template of `id`, in order (one per `<*>`),
   * or null when the message does not fit the template.
   */
  params(id: number, message: string): string[] | null {
    const c = this.clusters[this.cs.find(this.shapeCluster[id]!)]!;
    if (c.overflow) return null;
    return extractParams(c.tokens, message);
  }

  /** The shapes seen, by id (what add() returned), with their counts: what `adopt()` takes. Copies. */
  shapeTable(): ShapeEntry[] {
    return this.entries.map((e, i) => ({ ...e, count: this.shapeCounts[i]! }));
  }

  /**
   * Takes the shapes of another miner (its shapeTable(), of the part of the input after what this
   * one saw), in their order: a shape known here adds its count, a new one is placed as add()
   * would have placed it. Returns this miner's shape id for each of them.
   */
  adopt(table: readonly ShapeEntry[]): Int32Array {
    const ids = new Int32Array(table.length);
    for (let i = 0; i < table.length; i++) {
      const e = table[i]!;
      let id = e.overflow ? this.overflowShape(e.service, e.source) : this.shapes.get(e.key);
      if (id === undefined) id = this.entries.length < this.maxShapes ? this.placeShape({ ...e, count: 0 }) : this.overflowShape(e.service, e.source);
      this.shapeCounts[id]! += e.count;
      ids[i] = id;
    }
    return ids;
  }

  /**
   * Decides the sibling families with every count known, merges subsumed templates, and numbers
   * the templates densely. Deterministic; `add()` may continue afterwards (call again to refresh).
   */
  finalize(): FinalTemplates {
    // The clusters' counts, from their shapes' (the passes below add them up as clusters merge).
    const counts = this.cs.counts;
    counts.fill(0);
    for (let s = 0; s < this.entries.length; s++) counts[this.cs.find(this.shapeCluster[s]!)]! += this.shapeCounts[s]!;
    finalizeClusters(this.cs);
    const finalOf = new Int32Array(this.clusters.length).fill(-1);
    const templates: Template[] = [];
    for (let i = 0; i < this.clusters.length; i++) {
      if (this.parent[i] !== i) continue;
      finalOf[i] = templates.length;
      const t = this.view(i);
      t.id = templates.length;
      templates.push(t);
    }
    return { templates, idOf: (id: number) => finalOf[this.cs.find(this.shapeCluster[id]!)]! };
  }

  // ---------------------------------------------------------------------------------------------

  private view(i: number): Template {
    const c = this.clusters[i]!;
    return { id: i, service: c.service, source: c.source, text: c.overflow ? OVERFLOW_TEXT : textOf(c.tokens), emptyTail: c.emptyTail };
  }

  /** The shape id of a message not in the cache: its shape's, placing the shape when it is new. */
  private shapeOf(service: string, message: string, source: SourceKind): number {
    let shape: string | null = null;
    let skey: number;
    if (source === 'postgres') {
      shape = postgresShape(message, this.statementShapes);
      skey = hashShape(shape, this.lastSeed);
    } else skey = maskHash(message, this.lastSeed);
    const known = this.shapes.get(skey);
    if (known !== undefined) return known;
    // Past the shape table's cap, new shapes go to their service's overflow shape.
    if (this.entries.length >= this.maxShapes) return this.overflowShape(service, source);
    if (shape === null) shape = maskMessage(message);
    // The shape of the message with its secrets redacted: a template keeps the words the masker
    // left, and the masker may take a secret's key for a variable (`f=secret: hunter` → `f=<*>
    // hunter`, the key gone), so a new template's text comes from it (see placeShape).
    const clean = redactSecrets(message);
    const cleanShape = clean === message ? shape : source === 'postgres' ? postgresShape(clean, this.statementShapes) : maskMessage(clean);
    const cleanKey = cleanShape === shape ? skey : hashShape(cleanShape, this.lastSeed);
    return this.placeShape({
      service: ownString(service),
      source,
      key: skey,
      shape: ownString(shape),
      clean: cleanKey === skey ? null : ownString(cleanShape),
      cleanKey,
      emptyTail: hasEmptyTail(message),
      exact: source === 'postgres' && sqlStart(message) !== -1,
      overflow: false,
      count: 0,
    });
  }

  /**
   * Adds a new shape and places it: in a generalised cluster whose template matches it, else in a
   * new cluster (from its clean shape), else, past the template cap, in its service's overflow
   * template. Reads nothing but the entry and the clusters so far: the same in add() and adopt().
   */
  private placeShape(e: ShapeEntry): number {
    const sid = this.entries.length;
    this.entries.push(e);
    this.shapeCounts.push(0);
    this.shapes.set(e.key, sid);
    const service = e.service;
    let tokens = e.shape.length === 0 ? [] : e.shape.split(' ');
    let id = e.exact ? -1 : this.cs.matchGeneral(service, tokens);
    if (id === -1) {
      if (this.created >= this.maxTemplates) id = this.overflowId(service, e.source);
      else {
        if (e.clean !== null) {
          tokens = e.clean.length === 0 ? [] : e.clean.split(' ');
          const known = this.shapes.get(e.cleanKey);
          id = known !== undefined ? this.shapeCluster[known]! : e.exact ? -1 : this.cs.matchGeneral(service, tokens);
          if (known === undefined) this.shapes.set(e.cleanKey, sid);
        }
        if (id === -1) id = this.newCluster(service, e.source, tokens, e.emptyTail, e.exact);
      }
    }
    this.shapeCluster.push(id);
    return sid;
  }

  /** The overflow shape of a service (messages past the shape table's cap). */
  private overflowShape(service: string, source: SourceKind): number {
    let sid = this.overflowShapes.get(service);
    if (sid === undefined) {
      sid = this.entries.length;
      const own = ownString(service);
      this.entries.push({ service: own, source, key: -1, shape: '', clean: null, cleanKey: -1, emptyTail: false, exact: true, overflow: true, count: 0 });
      this.shapeCounts.push(0);
      this.shapeCluster.push(this.overflowId(own, source));
      this.overflowShapes.set(own, sid);
    }
    return sid;
  }

  private overflowId(service: string, source: SourceKind): number {
    let id = this.overflowIds.get(service);
    if (id === undefined) {
      id = this.cs.push({ service: ownString(service), source, tokens: [], emptyTail: false, overflow: true, generalised: false, exact: true });
      this.overflowIds.set(this.clusters[id]!.service, id);
    }
    return id;
  }

  private newCluster(service: string, source: SourceKind, tokens: string[], emptyTail: boolean, exact: boolean): number {
    this.created++;
    // Owned copies: the tokens and the service may be slices of the line (or of a piece of many
    // lines, see line-splitter.ts) that the template would otherwise keep alive.
    for (let i = 0; i < tokens.length; i++) tokens[i] = ownString(tokens[i]!);
    const id = this.cs.push({ service: ownString(service), source, tokens, emptyTail, overflow: false, generalised: false, exact });
    this.cs.register(id, true);
    return id;
  }
}
