// The finalize passes of the miner, run with every count known: sibling families decided by the
// frequency rule (a position is a variable when its words are many or rare, a constant when two or
// more forms are frequent: "VM Started" ×40 vs "VM Paused" ×35 stay apart), templates subsumed by a
// more general one merged into it, free-text tails after a label, and two-position families.
import { WILDCARD } from './mask.js';
import { type Clusters, type Family, ONLINE_DISTINCT } from './clusters.js';
import { ABSORB_MAX, hashTok, isWild, otherConstants, siblings, subsumesAbsorbing, subsumesSameLength } from './token-match.js';

/** Distinct words at one position that make it a variable in finalize(): sets of constant
 * alternatives are small (Started/Paused/Resumed/Stopped). */
const SPREAD_DISTINCT = 5;
/** Constant tokens a sibling family needs besides the varying one (so "Done"/"Failed" never merge). */
const FAMILY_MIN_CONSTANTS = 2;
/** Longest template considered for two-position families (their number grows with the square). */
const PAIR_MAX_TOKENS = 40;
/** Position pairs looked at in one finalize() round, at most. */
const PAIR_BUDGET = 400_000;
/** A longer template is absorbed only when the shorter one has more than this many times its messages. */
const ABSORB_SHARE = 10;

/** Runs the passes until nothing changes (six rounds at most). Deterministic. */
export function finalizeClusters(cs: Clusters): void {
  for (let round = 0; round < 6; round++) {
    let changed = mergeDuplicates(cs);
    changed = decideFamilies(cs) || changed;
    changed = mergeSubsumed(cs) || changed;
    changed = mergeDuplicates(cs) || changed;
    if (!changed) changed = decidePairFamilies(cs);
    if (!changed) changed = mergeTails(cs);
    if (!changed) break;
  }
}

/** Live clusters with the same service and template: one. */
function mergeDuplicates(cs: Clusters): boolean {
  const seen = new Map<string, number>();
  let changed = false;
  for (const r of cs.liveRoots()) {
    if (cs.parent[r] !== r) continue;
    const c = cs.clusters[r]!;
    const key = c.service + '\u0001' + c.tokens.join(' ');
    const other = seen.get(key);
    if (other === undefined) seen.set(key, r);
    else {
      cs.union(other, r);
      changed = true;
    }
  }
  return changed;
}

/** Sibling families with all counts known: a position is a variable unless two forms are frequent. */
function decideFamilies(cs: Clusters): boolean {
  cs.families.clear();
  const roots = cs.looseRoots();
  for (const r of roots) cs.register(r, false);
  let changed = false;
  const done = new Set<Family>();
  // Families in a deterministic order: by their first member, then position.
  const all: Family[] = [];
  for (const fams of cs.families.values()) for (const f of fams) all.push(f);
  all.sort((a, b) => a.ids[0]! - b.ids[0]! || a.pos - b.pos);
  for (const fam of all) {
    if (done.has(fam) || fam.ids.length < 2) continue;
    done.add(fam);
    const members = cs.liveMembers(fam);
    if (members.length < 2) continue;
    const counts = members.map((m) => cs.counts[m]!);
    if (!isVariablePosition(counts)) continue;
    if (members.length < ONLINE_DISTINCT && otherConstants(cs.clusters[members[0]!]!.tokens, fam.pos) < FAMILY_MIN_CONSTANTS) continue;
    cs.mergeFamily(fam, members);
    changed = true;
  }
  return changed;
}

/**
 * Free-text tails after a label: "Materialization loop error: <anything>". When five or more
 * templates share a label (two constant tokens or more, the last ending in ':') and differ only
 * after it, the tail is a variable of any length. An empty tail keeps its own template.
 */
function mergeTails(cs: Clusters): boolean {
  const groups = new Map<string, number[]>();
  const labelLen = new Map<string, number>();
  for (const r of cs.looseRoots()) {
    const t = cs.clusters[r]!.tokens;
    let constants = 0;
    for (let j = 0; j < t.length - 1; j++) {
      const tok = t[j]!;
      if (!isWild(tok)) constants++;
      if (constants >= 2 && tok.length > 1 && tok.charCodeAt(tok.length - 1) === 58) {
        const key = cs.clusters[r]!.service + '\u0001' + t.slice(0, j + 1).join(' ');
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
    for (let k = 1; k < ids.length; k++) root = cs.union(root, ids[k]!);
    const c = cs.clusters[root]!;
    c.tokens = c.tokens.slice(0, n).concat(WILDCARD);
    cs.markGeneral(root);
    changed = true;
  }
  return changed;
}

/**
 * Templates that differ in two word positions (two word variables in one message, e.g.
 * "view permissions: Set(alice); modify permissions: Set(bob)"): grouped by their tokens with
 * both positions left out; merged when each position, on its own, passes the frequency rule.
 */
function decidePairFamilies(cs: Clusters): boolean {
  // Keys are hashes (sum of per-position token hashes minus the two left out), verified
  // against the group's first member; a budget keeps the work bounded by the template cap.
  const groups = new Map<number, { p: number; q: number; ids: number[] }[]>();
  let budget = PAIR_BUDGET;
  for (const r of cs.looseRoots()) {
    const c = cs.clusters[r]!;
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
        for (const x of list) {
          const first = cs.clusters[x.ids[0]!]!;
          if (x.p === p && x.q === q && siblings(first.tokens, c.tokens, p, first.service, c.service, q)) g = x;
        }
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
    const live = [...new Set(g.ids.map((i) => cs.find(i)))].filter((i) => !isWild(cs.clusters[i]!.tokens[g.p]!) && !isWild(cs.clusters[i]!.tokens[g.q]!));
    if (live.length < 3) continue;
    const atP = new Map<string, number>();
    const atQ = new Map<string, number>();
    for (const i of live) {
      const t = cs.clusters[i]!.tokens;
      atP.set(t[g.p]!, (atP.get(t[g.p]!) ?? 0) + cs.counts[i]!);
      atQ.set(t[g.q]!, (atQ.get(t[g.q]!) ?? 0) + cs.counts[i]!);
    }
    if (atP.size < 2 || atQ.size < 2 || !isVariablePosition([...atP.values()]) || !isVariablePosition([...atQ.values()])) continue;
    let root = live[0]!;
    for (let k = 1; k < live.length; k++) root = cs.union(root, live[k]!);
    const c = cs.clusters[root]!;
    c.tokens = c.tokens.slice();
    c.tokens[g.p] = WILDCARD;
    c.tokens[g.q] = WILDCARD;
    cs.markGeneral(root);
    changed = true;
  }
  return changed;
}

/**
 * A template with a variable subsumes a more specific one of the same service: same length with
 * a word where it has `<*>`, or a few more words in place of an inner `<*>` (when the longer form
 * is not the more frequent one).
 */
function mergeSubsumed(cs: Clusters): boolean {
  const roots = cs.looseRoots();
  const general: number[] = [];
  for (const r of roots) {
    const t = cs.clusters[r]!.tokens;
    // A partly variable token (`"<*>"`, `(<*>),`) generalises too: it covers its punctuation's other shapes.
    let wild = 0;
    let bare = 0;
    for (const tok of t) {
      if (tok === WILDCARD) bare++;
      if (isWild(tok)) wild++;
    }
    if (wild > 0 && t.length - bare >= 1 && t.length >= 2) general.push(r);
  }
  if (general.length === 0) return false;
  // A subsuming template starts with b's first token or with <*>: index by first token.
  const byFirst = new Map<string, number[]>();
  for (const a of general) {
    const ca = cs.clusters[a]!;
    const k = ca.service + '\u0001' + ca.tokens[0]!;
    let l = byFirst.get(k);
    if (l === undefined) byFirst.set(k, (l = []));
    l.push(a);
  }
  let changed = false;
  for (const b of roots) {
    if (cs.parent[b] !== b) continue;
    const cb = cs.clusters[b]!;
    if (cb.tokens.length === 0) continue;
    const l1 = byFirst.get(cb.service + '\u0001' + cb.tokens[0]!);
    const l2 = cb.tokens[0] === WILDCARD ? undefined : byFirst.get(cb.service + '\u0001' + WILDCARD);
    const candidates = l1 === undefined ? l2 ?? [] : l2 === undefined ? l1 : l1.concat(l2);
    // The most specific template that subsumes b: fewest absorbed tokens, then most constants.
    let best = -1;
    let bestExtra = Infinity;
    let bestConst = -1;
    for (const a0 of candidates) {
      const a = cs.find(a0);
      if (a === b) continue;
      const ca = cs.clusters[a]!;
      if (ca.service !== cb.service || ca.tokens.length > cb.tokens.length) continue;
      const extra = cb.tokens.length - ca.tokens.length;
      if (extra === 0) {
        if (!subsumesSameLength(ca.tokens, cb.tokens)) continue;
      } else {
        // A longer form that is common itself (over a tenth of the shorter one) is its own
        // event: "login rejected for unknown account <*> from <*>" stays out of "login rejected for <*> from <*>".
        if (extra > ABSORB_MAX || cs.counts[b]! * ABSORB_SHARE > cs.counts[a]!) continue;
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
    const ca = cs.clusters[best]!;
    const root = cs.union(best, b);
    cs.clusters[root]!.tokens = ca.tokens;
    if (ca.generalised) cs.markGeneral(root);
    changed = true;
  }
  return changed;
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
