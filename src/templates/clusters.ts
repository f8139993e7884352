// The miner's clusters: templates as token lists, merged through a union-find so that an id
// handed out online always resolves to its final template, with the two indexes the online miner
// (miner.ts) and the finalize passes (finalize.ts) both keep: generalised clusters by service and
// length (new shapes are matched against them), and sibling families (clusters that differ in one word).
import type { SourceKind } from '../model.js';
import { WILDCARD } from './mask.js';
import { hashTok, isWild, matchesSameLength, siblings } from './token-match.js';

/** Distinct words at one position that make it a variable at once, whatever their counts. */
export const ONLINE_DISTINCT = 8;
/** Positions of a template considered for sibling families. */
const FAMILY_MAX_POSITIONS = 64;

export interface Cluster {
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

export interface Family {
  /** Clusters registered, in order. */
  ids: number[];
  pos: number;
  merged: boolean;
}

export class Clusters {
  /** Every cluster ever made, by id; a merged one points to its root through `parent`. */
  readonly clusters: Cluster[] = [];
  readonly parent: number[] = [];
  /** Messages per root cluster (0 for merged ones). */
  readonly counts: number[] = [];
  /** Generalised clusters by service and length. */
  readonly general = new Map<string, number[]>();
  readonly families = new Map<number, Family[]>();

  /** The root of cluster `i` (the template it belongs to now), compressing the path to it. */
  find(i: number): number {
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
  union(a: number, b: number): number {
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

  /** Adds a cluster as a root of its own; returns its id. */
  push(c: Cluster): number {
    const id = this.clusters.length;
    this.clusters.push(c);
    this.parent.push(id);
    this.counts.push(0);
    return id;
  }

  /** A generalised cluster of the same service and length whose template matches `tokens`. */
  matchGeneral(service: string, tokens: string[]): number {
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
  register(id: number, online: boolean): void {
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
  liveMembers(fam: Family): number[] {
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

  /** Merges a family's members into one template with a variable at the family's position. */
  mergeFamily(fam: Family, members: number[]): void {
    fam.merged = true;
    let root = members[0]!;
    for (let k = 1; k < members.length; k++) root = this.union(root, members[k]!);
    const c = this.clusters[root]!;
    c.tokens = c.tokens.slice();
    c.tokens[fam.pos] = WILDCARD;
    this.markGeneral(root);
    this.register(root, false);
  }

  /** Lists a cluster among the generalised ones new shapes are matched against. */
  markGeneral(id: number): void {
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

  /** Root clusters in order of id, the overflow ones left out. */
  liveRoots(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.clusters.length; i++) if (this.parent[i] === i && !this.clusters[i]!.overflow) out.push(i);
    return out;
  }

  /** Live templates the word rules may generalise (not PostgreSQL statements). */
  looseRoots(): number[] {
    return this.liveRoots().filter((i) => !this.clusters[i]!.exact);
  }
}
