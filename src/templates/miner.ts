// The template miner: groups messages into templates ("Request failed: GET <*>"), per service.
//
// Three layers, each cheaper than the next is rare:
//  1. an exact-message cache (bounded) answers repeated messages with one Map lookup;
//  2. the masker (mask.ts) turns a new message into its shape (variable tokens → `<*>`); a shape
//     seen before maps straight to its cluster;
//  3. a new shape joins a generalised cluster whose template matches it, or starts a cluster.
// Clusters that differ in one word are "siblings" (same tokens except at one position). When a
// position takes many different words (ONLINE_DISTINCT) the siblings merge at once; the rest is
// decided in `finalize()`, with every count known: a position is a variable when its words are
// many or rare, and stays a constant when two or more forms are frequent ("VM Started" ×40 vs
// "VM Paused" ×35 stay apart). finalize() also merges templates subsumed by a more general one and
// lets a variable absorb a few extra words ("Invalid user <*> from" ⊇ "Invalid user test user from").
// Merges go through a union-find, so an id handed out online always resolves to its final
// template; finalize() numbers the final templates densely in order of first appearance.
import type { SourceKind } from '../model.js';
import { WILDCARD, hasEmptyTail, hashShape, maskHash, maskMessage } from './mask.js';
import { normalizeSql } from './sql-normalize.js';
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

export const DEFAULT_MAX_TEMPLATES = 5000;
const DEFAULT_CACHE = 100_000;
/** Lookups per window of the cache's hit accounting. */
const CACHE_WINDOW = 16_384;
/** Bits of the cache's doorkeeper (64 KiB): few false "seen before" among the messages of one cache generation. */
const DOORKEEPER_BITS = 1 << 19;
/** Distinct words at one position that make it a variable at once, whatever their counts. */
const ONLINE_DISTINCT = 8;
/** Distinct words at one position that make it a variable in finalize(): sets of constant
 * alternatives are small (Started/Paused/Resumed/Stopped). */
const SPREAD_DISTINCT = 5;
/** Constant tokens a sibling family needs besides the varying one (so "Done"/"Failed" never merge). */
const FAMILY_MIN_CONSTANTS = 2;
/** Longest template considered for two-position families (their number grows with the square). */
const PAIR_MAX_TOKENS = 40;
/** Position pairs looked at in one finalize() round, at most. */
const PAIR_BUDGET = 400_000;
/** Positions of a template considered for sibling families. */
const FAMILY_MAX_POSITIONS = 64;
/** Extra tokens a variable may absorb when a template subsumes a longer one. */
const ABSORB_MAX = 3;
/** A longer template is absorbed only when the shorter one has more than this many times its messages. */
const ABSORB_SHARE = 10;
/** Messages longer than this (in tokens) get no parameters from params(). */
const PARAMS_MAX_TOKENS = 256;
/** The text of the overflow templates (messages beyond the template cap). */
export const OVERFLOW_TEXT = '<overflow: template cap reached>';

interface Cluster {
  service: string;
  source: SourceKind;
  tokens: string[];
  emptyTail: boolean;
  overflow: boolean;
  /** Positions generalised from words (not masked by the masker). */
  generalised: boolean;
  /** A PostgreSQL statement: grouped by its normalised SQL exactly, as pgBadger does. */
  exact: boolean;
}

interface Family {
  /** Clusters registered, in order. */
  ids: number[];
  pos: number;
  merged: boolean;
}

function isWild(tok: string): boolean {
  return tok.indexOf(WILDCARD) !== -1;
}

function isEmptyQuote(tok: string): boolean {
  return tok === '""' || tok === "''" || tok === '"",' || tok === '""}' || tok === "'',";
}

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

/** Shape of a PostgreSQL message: the text before the SQL masked, the SQL normalised like pgBadger. */
export function postgresShape(msg: string): string {
  const s = sqlStart(msg);
  if (s === -1) return maskMessage(msg);
  const head = maskMessage(msg, 0, s);
  const sql = normalizeSql(msg.slice(s), { placeholder: WILDCARD });
  return head.length === 0 ? sql : sql.length === 0 ? head : head + ' ' + sql;
}

function hashTok(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class TemplateMiner {
  readonly maxTemplates: number;
  /** Messages that found no room (counted in the overflow templates). */
  overflowCount = 0;
  private readonly cacheSize: number;
  private readonly clusters: Cluster[] = [];
  private readonly parent: number[] = [];
  private readonly counts: number[] = [];
  private created = 0;
  private readonly caches = new Map<string, Map<string, number>>();
  private cached = 0;
  private lastService: string | null = null;
  private lastCache: Map<string, number> | null = null;
  /** Shape hash (53 bits, seeded by the service) → cluster id. */
  private readonly shapes = new Map<number, number>();
  private lastSeed = 0;
  /** Cache hit accounting: inserting stops for a window when messages do not repeat. */
  private lookups = 0;
  private hits = 0;
  private caching = true;
  private paused = 0;
  private readonly maxShapes: number;
  /** Generalised clusters by service and length: new shapes are matched against them. */
  private readonly general = new Map<string, number[]>();
  private readonly families = new Map<number, Family[]>();
  private readonly overflowIds = new Map<string, number>();
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

  /** Template id of a message, creating the template when it is new. */
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
      id = this.place(service, message, source);
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
    let root = this.parent[id]!;
    if (root !== id) {
      root = this.find(id);
      cache.set(ownString(message), root);
    }
    this.counts[root]!++;
    if (this.clusters[root]!.overflow) this.overflowCount++;
    return root;
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

  /** The template an id returned by `add()` belongs to now. */
  template(id: number): Template {
    return this.view(this.find(id));
  }

  /** The current templates (one per live cluster), in order of creation. */
  templates(): readonly Template[] {
    const out: Template[] = [];
    for (let i = 0; i < this.clusters.length; i++) if (this.parent[i] === i) out.push(this.view(i));
    return out;
  }

  /** Messages added to the template of `id` so far (its merged clusters included). */
  count(id: number): number {
    return this.counts[this.find(id)]!;
  }

  /**
   * The variable parts of `message` under the template of `id`, in order (one per `<*>`),
   * or null when the message does not fit the template.
   */
  params(id: number, message: string): string[] | null {
    const c = this.clusters[this.find(id)]!;
    if (c.overflow) return null;
    return extractParams(c.tokens, message);
  }

  /**
   * Decides the sibling families with every count known, merges subsumed templates, and numbers
   * the templates densely. Deterministic; `add()` may continue afterwards (call again to refresh).
   */
  finalize(): FinalTemplates {
    for (let round = 0; round < 6; round++) {
      let changed = this.mergeDuplicates();
      changed = this.decideFamilies() || changed;
      changed = this.mergeSubsumed() || changed;
      changed = this.mergeDuplicates() || changed;
      if (!changed) changed = this.decidePairFamilies();
      if (!changed) changed = this.mergeTails();
      if (!changed) break;
    }
    const finalOf = new Int32Array(this.clusters.length).fill(-1);
    const templates: Template[] = [];
    for (let i = 0; i < this.clusters.length; i++) {
      if (this.parent[i] !== i) continue;
      finalOf[i] = templates.length;
      const t = this.view(i);
      t.id = templates.length;
      templates.push(t);
    }
    return { templates, idOf: (id: number) => finalOf[this.find(id)]! };
  }

  // ---------------------------------------------------------------------------------------------

  private view(i: number): Template {
    const c = this.clusters[i]!;
    return { id: i, service: c.service, source: c.source, text: c.overflow ? OVERFLOW_TEXT : textOf(c.tokens), emptyTail: c.emptyTail };
  }

  private find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[i] !== r) {
      const next = this.parent[i]!;
      this.parent[i] = r;
      i = next;
    }
    return r;
  }

  /** Merges cluster `b` into `a` (a < b keeps ids in order of first appearance). */
  private union(a: number, b: number): number {
    a = this.find(a);
    b = this.find(b);
    if (a === b) return a;
    if (b < a) [a, b] = [b, a];
    this.parent[b] = a;
    this.counts[a]! += this.counts[b]!;
    this.counts[b] = 0;
    const ca = this.clusters[a]!;
    const cb = this.clusters[b]!;
    ca.emptyTail = ca.emptyTail && cb.emptyTail;
    return a;
  }

  private place(service: string, message: string, source: SourceKind): number {
    let shape: string | null = null;
    let skey: number;
    if (source === 'postgres') {
      shape = postgresShape(message);
      skey = hashShape(shape, this.lastSeed);
    } else skey = maskHash(message, this.lastSeed);
    const known = this.shapes.get(skey);
    if (known !== undefined) return known;
    if (shape === null) shape = maskMessage(message);
    let tokens = shape.length === 0 ? [] : shape.split(' ');
    const exact = source === 'postgres' && sqlStart(message) !== -1;
    let id = exact ? -1 : this.matchGeneral(service, tokens);
    if (id === -1) {
      if (this.created >= this.maxTemplates) id = this.overflowId(service, source);
      else {
        // A template keeps the words the masker left, and the masker may take a secret's key for a
        // variable (`f=secret: hunter` → `f=<*> hunter`, the key gone): the text of a new template
        // comes from the message with its secrets redacted (once per new shape that would start a template).
        const clean = redactSecrets(message);
        let cleanKey = skey;
        if (clean !== message) {
          const cleanShape = source === 'postgres' ? postgresShape(clean) : maskMessage(clean);
          cleanKey = hashShape(cleanShape, this.lastSeed);
          tokens = cleanShape.length === 0 ? [] : cleanShape.split(' ');
          id = this.shapes.get(cleanKey) ?? (exact ? -1 : this.matchGeneral(service, tokens));
        }
        if (id === -1) id = this.newCluster(service, source, tokens, hasEmptyTail(message), exact);
        if (cleanKey !== skey && this.shapes.size < this.maxShapes) this.shapes.set(cleanKey, id);
      }
    }
    if (this.shapes.size < this.maxShapes) this.shapes.set(skey, id);
    return id;
  }

  private overflowId(service: string, source: SourceKind): number {
    let id = this.overflowIds.get(service);
    if (id === undefined) {
      id = this.push({ service: ownString(service), source, tokens: [], emptyTail: false, overflow: true, generalised: false, exact: true });
      this.overflowIds.set(this.clusters[id]!.service, id);
    }
    return id;
  }

  private push(c: Cluster): number {
    const id = this.clusters.length;
    this.clusters.push(c);
    this.parent.push(id);
    this.counts.push(0);
    return id;
  }

  private newCluster(service: string, source: SourceKind, tokens: string[], emptyTail: boolean, exact: boolean): number {
    this.created++;
    // Owned copies: the tokens and the service may be slices of the line (or of a piece of many
    // lines, see read-input.ts) that the template would otherwise keep alive.
    for (let i = 0; i < tokens.length; i++) tokens[i] = ownString(tokens[i]!);
    const id = this.push({ service: ownString(service), source, tokens, emptyTail, overflow: false, generalised: false, exact });
    this.register(id, true);
    return id;
  }

  /** A generalised cluster of the same service and length whose template matches `tokens`. */
  private matchGeneral(service: string, tokens: string[]): number {
    const list = this.general.get(service + '\u0001' + tokens.length);
    if (list === undefined) return -1;
    for (let k = 0; k < list.length; k++) {
      const r = this.find(list[k]!);
      if (r !== list[k]) list[k] = r;
      if (matchesSameLength(this.clusters[r]!.tokens, tokens)) return r;
    }
    return -1;
  }

  /** Registers a cluster in the sibling families of its positions; online, merges a family with many words. */
  private register(id: number, online: boolean): void {
    const c = this.clusters[id]!;
    if (c.exact) return;
    const t = c.tokens;
    // Tokens with a fixed part count as constants (`pid=<*>` still says what the message is).
    let constants = 0;
    for (const tok of t) if (tok !== WILDCARD) constants++;
    // With a single other constant ("Started <*>.service.") only many distinct words make a variable.
    if (constants - 1 < 1) return;
    const n = Math.min(t.length, FAMILY_MAX_POSITIONS);
    const h1 = new Uint32Array(t.length);
    const h2 = new Uint32Array(t.length);
    let s1 = hashTok(c.service, 0x811c9dc5) ^ t.length;
    let s2 = hashTok(c.service, 0x2545f491) ^ (t.length * 31);
    for (let i = 0; i < t.length; i++) {
      h1[i] = Math.imul(hashTok(t[i]!, 0x811c9dc5), (i * 2 + 1) * 0x9e3779b1) >>> 0;
      h2[i] = Math.imul(hashTok(t[i]!, 0x2545f491), (i * 2 + 1) * 0x85ebca6b) >>> 0;
      s1 = (s1 + h1[i]!) >>> 0;
      s2 = (s2 + h2[i]!) >>> 0;
    }
    for (let p = 0; p < n; p++) {
      if (isWild(t[p]!)) continue;
      const k1 = (s1 - h1[p]! + Math.imul(p + 1, 0x27d4eb2d)) >>> 0;
      const k2 = (s2 - h2[p]!) & 0x1fffff;
      const key = k1 * 0x200000 + k2;
      let fams = this.families.get(key);
      if (fams === undefined) {
        fams = [];
        this.families.set(key, fams);
      }
      let fam: Family | undefined;
      for (const f of fams) {
        if (f.pos === p && siblings(this.clusters[this.find(f.ids[0]!)]!.tokens, t, p, this.clusters[f.ids[0]!]!.service, c.service)) {
          fam = f;
          break;
        }
      }
      if (fam === undefined) {
        fam = { ids: [], pos: p, merged: false };
        fams.push(fam);
      }
      fam.ids.push(id);
      if (online && !fam.merged && fam.ids.length >= ONLINE_DISTINCT) {
        const members = this.liveMembers(fam);
        if (members.length >= ONLINE_DISTINCT) this.mergeFamily(fam, members);
      }
    }
  }

  /** Distinct live clusters of a family that still have a word at its position. */
  private liveMembers(fam: Family): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    const first = this.clusters[this.find(fam.ids[0]!)]!;
    for (const id of fam.ids) {
      const r = this.find(id);
      if (seen.has(r)) continue;
      seen.add(r);
      const c = this.clusters[r]!;
      if (c.overflow || isWild(c.tokens[fam.pos] ?? WILDCARD)) continue;
      if (!siblings(first.tokens, c.tokens, fam.pos, first.service, c.service)) continue;
      out.push(r);
    }
    return out;
  }

  private mergeFamily(fam: Family, members: number[]): void {
    fam.merged = true;
    let root = members[0]!;
    for (let k = 1; k < members.length; k++) root = this.union(root, members[k]!);
    const c = this.clusters[root]!;
    c.tokens = c.tokens.slice();
    c.tokens[fam.pos] = WILDCARD;
    this.markGeneral(root);
    this.register(root, false);
  }

  private markGeneral(id: number): void {
    const c = this.clusters[id]!;
    const key = c.service + '\u0001' + c.tokens.length;
    let list = this.general.get(key);
    if (list === undefined) {
      list = [];
      this.general.set(key, list);
    }
    if (!c.generalised) {
      c.generalised = true;
      list.push(id);
    }
  }

  private liveRoots(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.clusters.length; i++) if (this.parent[i] === i && !this.clusters[i]!.overflow) out.push(i);
    return out;
  }

  /** Live templates the word rules may generalise (not PostgreSQL statements). */
  private looseRoots(): number[] {
    return this.liveRoots().filter((i) => !this.clusters[i]!.exact);
  }

  /** Live clusters with the same service and template: one. */
  private mergeDuplicates(): boolean {
    const seen = new Map<string, number>();
    let changed = false;
    for (const r of this.liveRoots()) {
      if (this.parent[r] !== r) continue;
      const c = this.clusters[r]!;
      const key = c.service + '\u0001' + c.tokens.join(' ');
      const other = seen.get(key);
      if (other === undefined) seen.set(key, r);
      else {
        this.union(other, r);
        changed = true;
      }
    }
    return changed;
  }

  /** Sibling families with all counts known: a position is a variable unless two forms are frequent. */
  private decideFamilies(): boolean {
    this.families.clear();
    const roots = this.looseRoots();
    for (const r of roots) this.register(r, false);
    let changed = false;
    const done = new Set<Family>();
    // Families in a deterministic order: by their first member, then position.
    const all: Family[] = [];
    for (const fams of this.families.values()) for (const f of fams) all.push(f);
    all.sort((a, b) => a.ids[0]! - b.ids[0]! || a.pos - b.pos);
    for (const fam of all) {
      if (done.has(fam) || fam.ids.length < 2) continue;
      done.add(fam);
      const members = this.liveMembers(fam);
      if (members.length < 2) continue;
      const counts = members.map((m) => this.counts[m]!);
      if (!isVariablePosition(counts)) continue;
      if (members.length < ONLINE_DISTINCT && otherConstants(this.clusters[members[0]!]!.tokens, fam.pos) < FAMILY_MIN_CONSTANTS) continue;
      this.mergeFamily(fam, members);
      changed = true;
    }
    return changed;
  }

  /**
   * Free-text tails after a label: "Materialization loop error: <anything>". When five or more
   * templates share a label (two constant tokens or more, the last ending in ':') and differ only
   * after it, the tail is a variable of any length. An empty tail keeps its own template.
   */
  private mergeTails(): boolean {
    const groups = new Map<string, number[]>();
    const labelLen = new Map<string, number>();
    for (const r of this.looseRoots()) {
      const t = this.clusters[r]!.tokens;
      let constants = 0;
      for (let j = 0; j < t.length - 1; j++) {
        const tok = t[j]!;
        if (!isWild(tok)) constants++;
        if (constants >= 2 && tok.length > 1 && tok.charCodeAt(tok.length - 1) === 58) {
          const key = this.clusters[r]!.service + '\u0001' + t.slice(0, j + 1).join(' ');
          let g = groups.get(key);
          if (g === undefined) {
            groups.set(key, (g = []));
            labelLen.set(key, j + 1);
          }
          g.push(r);
          break;
        }
      }
    }
    let changed = false;
    for (const [key, ids] of groups) {
      if (ids.length < SPREAD_DISTINCT) continue;
      const n = labelLen.get(key)!;
      let root = ids[0]!;
      for (let k = 1; k < ids.length; k++) root = this.union(root, ids[k]!);
      const c = this.clusters[root]!;
      c.tokens = c.tokens.slice(0, n).concat(WILDCARD);
      this.markGeneral(root);
      changed = true;
    }
    return changed;
  }

  /**
   * Templates that differ in two word positions (two word variables in one message, e.g.
   * "view permissions: Set(alice); modify permissions: Set(bob)"): grouped by their tokens with
   * both positions left out; merged when each position, on its own, passes the frequency rule.
   */
  private decidePairFamilies(): boolean {
    // Keys are hashes (sum of per-position token hashes minus the two left out), verified
    // against the group's first member; a budget keeps the work bounded by the template cap.
    const groups = new Map<number, { p: number; q: number; ids: number[] }[]>();
    let budget = PAIR_BUDGET;
    for (const r of this.looseRoots()) {
      const c = this.clusters[r]!;
      const t = c.tokens;
      if (t.length > PAIR_MAX_TOKENS) continue;
      let constants = 0;
      for (const tok of t) if (tok !== WILDCARD) constants++;
      if (constants - 2 < FAMILY_MIN_CONSTANTS + 1) continue;
      budget -= (t.length * (t.length - 1)) / 2;
      if (budget < 0) break;
      const h = new Array<number>(t.length);
      let sum = hashTok(c.service, 0x811c9dc5) ^ t.length;
      for (let i = 0; i < t.length; i++) {
        h[i] = Math.imul(hashTok(t[i]!, 0x811c9dc5), (i * 2 + 1) * 0x9e3779b1) >>> 0;
        sum = (sum + h[i]!) >>> 0;
      }
      for (let p = 0; p < t.length; p++) {
        if (isWild(t[p]!)) continue;
        for (let q = p + 1; q < t.length; q++) {
          if (isWild(t[q]!)) continue;
          const key = ((sum - h[p]! - h[q]!) >>> 0) * 4096 + ((p * 64 + q) & 4095);
          let list = groups.get(key);
          if (list === undefined) groups.set(key, (list = []));
          let g: { p: number; q: number; ids: number[] } | undefined;
          for (const x of list) if (x.p === p && x.q === q && pairSiblings(this.clusters[x.ids[0]!]!, c, p, q)) g = x;
          if (g === undefined) list.push((g = { p, q, ids: [] }));
          g.ids.push(r);
        }
      }
    }
    let changed = false;
    const all: { p: number; q: number; ids: number[] }[] = [];
    for (const list of groups.values()) for (const g of list) if (g.ids.length >= 3) all.push(g);
    all.sort((a, b) => a.ids[0]! - b.ids[0]! || a.p - b.p || a.q - b.q);
    for (const g of all) {
      const live = [...new Set(g.ids.map((i) => this.find(i)))].filter((i) => !isWild(this.clusters[i]!.tokens[g.p]!) && !isWild(this.clusters[i]!.tokens[g.q]!));
      if (live.length < 3) continue;
      const atP = new Map<string, number>();
      const atQ = new Map<string, number>();
      for (const i of live) {
        const t = this.clusters[i]!.tokens;
        atP.set(t[g.p]!, (atP.get(t[g.p]!) ?? 0) + this.counts[i]!);
        atQ.set(t[g.q]!, (atQ.get(t[g.q]!) ?? 0) + this.counts[i]!);
      }
      if (atP.size < 2 || atQ.size < 2 || !isVariablePosition([...atP.values()]) || !isVariablePosition([...atQ.values()])) continue;
      let root = live[0]!;
      for (let k = 1; k < live.length; k++) root = this.union(root, live[k]!);
      const c = this.clusters[root]!;
      c.tokens = c.tokens.slice();
      c.tokens[g.p] = WILDCARD;
      c.tokens[g.q] = WILDCARD;
      this.markGeneral(root);
      changed = true;
    }
    return changed;
  }

  /**
   * A template with a variable subsumes a more specific one of the same service: same length with
   * a word where it has `<*>`, or a few more words in place of an inner `<*>` (when the longer form
   * is not the more frequent one).
   */
  private mergeSubsumed(): boolean {
    const roots = this.looseRoots();
    const general: number[] = [];
    for (const r of roots) {
      const t = this.clusters[r]!.tokens;
      let wild = 0;
      for (const tok of t) if (tok === WILDCARD) wild++;
      if (wild > 0 && t.length - wild >= 1 && t.length >= 2) general.push(r);
    }
    if (general.length === 0) return false;
    // A subsuming template starts with b's first token or with <*>: index by first token.
    const byFirst = new Map<string, number[]>();
    for (const a of general) {
      const ca = this.clusters[a]!;
      const k = ca.service + '\u0001' + ca.tokens[0]!;
      let l = byFirst.get(k);
      if (l === undefined) byFirst.set(k, (l = []));
      l.push(a);
    }
    let changed = false;
    for (const b of roots) {
      if (this.parent[b] !== b) continue;
      const cb = this.clusters[b]!;
      if (cb.tokens.length === 0) continue;
      const l1 = byFirst.get(cb.service + '\u0001' + cb.tokens[0]!);
      const l2 = cb.tokens[0] === WILDCARD ? undefined : byFirst.get(cb.service + '\u0001' + WILDCARD);
      const candidates = l1 === undefined ? l2 ?? [] : l2 === undefined ? l1 : l1.concat(l2);
      // The most specific template that subsumes b: fewest absorbed tokens, then most constants.
      let best = -1;
      let bestExtra = Infinity;
      let bestConst = -1;
      for (const a0 of candidates) {
        const a = this.find(a0);
        if (a === b) continue;
        const ca = this.clusters[a]!;
        if (ca.service !== cb.service || ca.tokens.length > cb.tokens.length) continue;
        const extra = cb.tokens.length - ca.tokens.length;
        if (extra === 0) {
          if (!subsumesSameLength(ca.tokens, cb.tokens)) continue;
        } else {
          // A longer form that is common itself (over a tenth of the shorter one) is its own
          // event: "login rejected for unknown account <*> from <*>" stays out of "login rejected for <*> from <*>".
          if (extra > ABSORB_MAX || this.counts[b]! * ABSORB_SHARE > this.counts[a]!) continue;
          if (!subsumesAbsorbing(ca.tokens, cb.tokens)) continue;
        }
        let constants = 0;
        for (const t of ca.tokens) if (t !== WILDCARD) constants++;
        if (extra < bestExtra || (extra === bestExtra && constants > bestConst)) {
          best = a;
          bestExtra = extra;
          bestConst = constants;
        }
      }
      if (best === -1) continue;
      const ca = this.clusters[best]!;
      const root = this.union(best, b);
      this.clusters[root]!.tokens = ca.tokens;
      if (ca.generalised) this.markGeneral(root);
      changed = true;
    }
    return changed;
  }
}

/**
 * The frequency rule for a position where sibling templates differ in one word (counts of each
 * word's messages): many words, or rare ones, make a variable; two or more frequent words that
 * are not outnumbered by rare ones are constants ("VM Started" vs "VM Paused").
 */
export function isVariablePosition(counts: readonly number[]): boolean {
  const k = counts.length;
  // Two words are two events whatever their counts ("via HTTP2" ×900, "via HTTP1" ×2;
  // "checkpoint starting: time" / "... immediate"): a variable needs three values or more.
  if (k < 3) return false;
  if (k >= SPREAD_DISTINCT) return true;
  let total = 0;
  for (const c of counts) total += c;
  const frequentMin = Math.max(3, Math.ceil(total * 0.05));
  let frequent = 0;
  for (const c of counts) if (c >= frequentMin) frequent++;
  const rare = k - frequent;
  if (frequent <= 1) return true;
  return k >= 4 && rare >= frequent;
}

/** Same service and length, same tokens except at `p` and `q`. */
function pairSiblings(a: Cluster, b: Cluster, p: number, q: number): boolean {
  if (a.service !== b.service || a.tokens.length !== b.tokens.length) return false;
  for (let i = 0; i < a.tokens.length; i++) if (i !== p && i !== q && a.tokens[i] !== b.tokens[i]) return false;
  return true;
}

/** Tokens other than the one at `p` that are not a bare `<*>`. */
function otherConstants(t: readonly string[], p: number): number {
  let n = 0;
  for (let i = 0; i < t.length; i++) if (i !== p && t[i] !== WILDCARD) n++;
  return n;
}

/** Same tokens everywhere except at `p` (and same service). */
function siblings(a: readonly string[], b: readonly string[], p: number, sa: string, sb: string): boolean {
  if (a.length !== b.length || sa !== sb) return false;
  for (let i = 0; i < a.length; i++) if (i !== p && a[i] !== b[i]) return false;
  return true;
}

/**
 * True when template token `a` stands for token `b`: `<*>` for anything but an empty quote, and a
 * variable in punctuation (`<*>,`, `[<*>]`) for a partly variable token in the same punctuation
 * (`FALLBACK(<*>),`, `[localhost:<*>]`): one slot whose values come in different shapes.
 */
function covers(a: string, b: string): boolean {
  if (a === WILDCARD) return !isEmptyQuote(b);
  const w = a.indexOf(WILDCARD);
  if (w === -1 || b.indexOf(WILDCARD) === -1 || b.length <= a.length) return false;
  for (let k = 0; k < a.length; k++) {
    if (k === w) k += WILDCARD.length - 1;
    else if (isWordChar(a.charCodeAt(k))) return false;
  }
  return b.startsWith(a.slice(0, w)) && b.endsWith(a.slice(w + WILDCARD.length));
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

function matchesSameLength(t: readonly string[], s: readonly string[]): boolean {
  if (t.length !== s.length) return false;
  for (let i = 0; i < t.length; i++) {
    const a = t[i]!;
    if (a === s[i]) continue;
    if (covers(a, s[i]!)) continue;
    return false;
  }
  return true;
}

function subsumesSameLength(a: readonly string[], b: readonly string[]): boolean {
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    if (covers(a[i]!, b[i]!)) {
      diff++;
      continue;
    }
    return false;
  }
  return diff > 0;
}

/** `a` matches `b` with one inner `<*>` (between two constants) standing for 2..1+ABSORB_MAX tokens. */
function subsumesAbsorbing(a: readonly string[], b: readonly string[]): boolean {
  const extra = b.length - a.length;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  // the first difference must be at an inner wildcard
  if (i >= a.length || a[i] !== WILDCARD || i === 0 || i === a.length - 1) return false;
  if (isWild(a[i - 1]!) || isWild(a[i + 1]!)) return false;
  for (let k = i + 1; k < a.length; k++) if (a[k] !== b[k + extra] && !(a[k] === WILDCARD && !isEmptyQuote(b[k + extra]!))) return false;
  for (let k = i; k <= i + extra; k++) if (isEmptyQuote(b[k]!)) return false;
  return true;
}

/** Template text: tokens joined by spaces, adjacent `<*>` shown once. */
function textOf(tokens: readonly string[]): string {
  let out = '';
  let prevWild = false;
  for (const t of tokens) {
    if (t === WILDCARD) {
      if (prevWild) continue;
      prevWild = true;
    } else prevWild = false;
    out = out.length === 0 ? t : out + ' ' + t;
  }
  return out;
}

/**
 * Aligns a message with template tokens: a `<*>` token takes one or more whole tokens of the
 * message, a token like `key=<*>` or `(<*>)` takes the part between its fixed ends.
 */
export function extractParams(template: readonly string[], message: string): string[] | null {
  const raw = message.split(/\s+/).filter((s) => s.length > 0);
  // Alignment backtracks over the `<*>`s; very long messages are not worth it.
  if (raw.length > PARAMS_MAX_TOKENS) return null;
  const out: string[] = [];
  const go = (ti: number, ri: number): boolean => {
    if (ti === template.length) return ri === raw.length;
    const t = template[ti]!;
    if (t === WILDCARD) {
      // adjacent wildcards are one variable
      let tj = ti;
      while (tj < template.length && template[tj] === WILDCARD) tj++;
      const minTake = 1;
      for (let take = raw.length - ri - (template.length - tj); take >= minTake; take--) {
        out.push(raw.slice(ri, ri + take).join(' '));
        if (go(tj, ri + take)) return true;
        out.pop();
      }
      return false;
    }
    if (ri >= raw.length) return false;
    const r = raw[ri]!;
    const w = t.indexOf(WILDCARD);
    if (w === -1) {
      if (r !== t && maskMessage(r) !== t) return false;
      return go(ti + 1, ri + 1);
    }
    const pre = t.slice(0, w);
    const post = t.slice(w + WILDCARD.length);
    if (r.length < pre.length + post.length || !r.startsWith(pre) || !r.endsWith(post)) return false;
    out.push(r.slice(pre.length, r.length - post.length));
    if (go(ti + 1, ri + 1)) return true;
    out.pop();
    return false;
  };
  return go(0, 0) ? out : null;
}
