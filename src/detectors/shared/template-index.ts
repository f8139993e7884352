// Which kept events a detector has to look at. Many kept events belong to templates whose every
// message is the same text ("could not receive data from client: Connection reset by peer",
// "Materialization loop error:"): one test of that text decides for all of them, and detectors that
// share a test share the answer. In templates whose messages differ each message is tested: a
// signal can sit in a variable ("Task 7 failed: TimeoutError" inside "Task <*> failed: <*>"), so
// judging a template by a few of its messages would miss it. Attribute signals (a status field) are
// found by looking at each event's attributes, never by sampling a few.
import type { TimelineEvent, TimelineSummary } from '../../timeline/timeline.js';

/** A test on a message: true when the event may be of interest to the detector. */
export type MessageTest = (message: string) => boolean;


interface TemplateEvents {
  /** The template id, or -1 for the catch-all list of a summary whose ids are not the timeline's. */
  id: number;
  /** Positions in `t.events` of the template's kept events, ascending. */
  positions: Int32Array;
  /** The one message all its kept events share, or null when they differ (test every event). */
  uniform: string | null;
}

interface Index {
  templates: TemplateEvents[];
  /** Template id of each kept event, by position (a typed array: cheaper to read than the events). */
  ids: Int32Array;
  /** The same, by template id (empty for a summary whose ids are not the timeline's). */
  byId: (TemplateEvents | undefined)[];
  /** Candidate events per test (and attribute keys): detectors sharing a test share the work. */
  candidates: Map<MessageTest, Map<string, TimelineEvent[]>>;
}

const INDEX = new WeakMap<TimelineSummary, Index>();

function indexOf(t: TimelineSummary): Index {
  let ix = INDEX.get(t);
  if (ix !== undefined) return ix;
  const evs = t.events;
  // Template ids are dense and small: read them once (one pass over the event objects), count,
  // then fill one array per template.
  const ids = new Int32Array(evs.length);
  let maxId = -1;
  let dense = true;
  for (let i = 0; i < evs.length; i++) {
    const id = evs[i]!.template;
    if (!(id >= 0 && id <= 0x7fffffff && Number.isInteger(id))) dense = false;
    else if (id > maxId) maxId = id;
    ids[i] = id;
  }
  if (!dense) {
    // Not the timeline's ids: every event is a candidate.
    ix = { templates: [{ id: -1, positions: Int32Array.from(evs.keys()), uniform: null }], ids, byId: [], candidates: new Map() };
    INDEX.set(t, ix);
    return ix;
  }
  const counts = new Int32Array(maxId + 1);
  for (const id of ids) counts[id]!++;
  const lists: (Int32Array | null)[] = Array.from(counts, (c) => (c > 0 ? new Int32Array(c) : null));
  const fill = new Int32Array(maxId + 1);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    lists[id]![fill[id]!++] = i;
  }
  const templates: TemplateEvents[] = [];
  for (let id = 0; id <= maxId; id++) {
    const positions = lists[id];
    if (positions === null || positions === undefined) continue;
    let uniform: string | null = evs[positions[0]!]!.message;
    for (let j = 1; j < positions.length && uniform !== null; j++) if (evs[positions[j]!]!.message !== uniform) uniform = null;
    templates.push({ id, positions, uniform });
  }
  const byIdList: (TemplateEvents | undefined)[] = [];
  for (const te of templates) byIdList[te.id] = te;
  ix = { templates, ids, byId: byIdList, candidates: new Map() };
  INDEX.set(t, ix);
  return ix;
}

/**
 * The kept events whose message passes `test`, or that carry any of `attrKeys` in their attributes
 * (a status field beside the message), in timeline order. A uniform template's one message is
 * tested once for all its events; the others are tested event by event, here rather than in each
 * detector's own loop: this loop is shared by every detector, so it runs compiled code after the
 * first few, where each detector's loop over all kept events would run once, cold. The detector
 * still applies its own checks to the few events returned.
 */
export function candidateEvents(t: TimelineSummary, test: MessageTest, attrKeys: readonly string[] = []): TimelineEvent[] {
  const ix = indexOf(t);
  let perTest = ix.candidates.get(test);
  if (perTest === undefined) ix.candidates.set(test, (perTest = new Map()));
  const key = attrKeys.join('\u0000');
  const cached = perTest.get(key);
  if (cached !== undefined) return cached;
  // A verdict per template: OFFER (its one message passed), EACH (test every message), or NONE
  // (its one message failed: only attributes can make an event a candidate).
  const verdict = new Uint8Array(ix.byId.length);
  const all = ix.byId.length === 0;
  for (const te of ix.templates) verdict[te.id] = te.uniform === null ? EACH : test(te.uniform) ? OFFER : NONE;
  const out: TimelineEvent[] = [];
  const evs = t.events;
  const ids = ix.ids;
  const withKeys = attrKeys.length > 0;
  for (let i = 0; i < evs.length; i++) {
    const v = all ? EACH : verdict[ids[i]!]!;
    const ev = evs[i]!;
    if (v === OFFER || (v === EACH && test(ev.message))) out.push(ev);
    else if (withKeys) {
      const a = ev.attrs;
      if (a !== undefined && attrKeys.some((k) => a[k] !== undefined)) out.push(ev);
    }
  }
  perTest.set(key, out);
  return out;
}

const NONE = 0;
const OFFER = 1;
const EACH = 2;

/** Kept-event positions (in `t.events`, ascending) per template, computed once per summary; id −1 holds every event of a summary whose ids are not the timeline's. */
export function templatePositions(t: TimelineSummary): ReadonlyArray<{ readonly id: number; readonly positions: Int32Array }> {
  return indexOf(t).templates;
}

/** Whether some kept message of template `id` may pass `test`: false only for a uniform template whose one message fails it. */
export function templateMayMatch(t: TimelineSummary, id: number, test: MessageTest): boolean {
  const te = indexOf(t).byId[id];
  return te === undefined || te.uniform === null || test(te.uniform);
}

/** The kept events of the templates `chosen` picks (by template id), in timeline order (all events when the ids are not the timeline's: callers still check `ev.template`). */
export function eventsOfTemplates(t: TimelineSummary, chosen: (templateId: number) => boolean): TimelineEvent[] {
  const ix = indexOf(t);
  if (ix.byId.length === 0) return t.events.slice();
  const lists: Int32Array[] = [];
  const pick = new Uint8Array(ix.byId.length);
  let picked = 0;
  for (const te of ix.templates) {
    if (!chosen(te.id)) continue;
    lists.push(te.positions);
    pick[te.id] = 1;
    picked += te.positions.length;
  }
  const evs = t.events;
  // A few templates: merge their position lists; most of them: one pass over the ids is cheaper.
  if (picked * 4 < evs.length) return mergePositions(lists).map((i) => evs[i]!);
  const out: TimelineEvent[] = [];
  const ids = ix.ids;
  for (let i = 0; i < evs.length; i++) if (pick[ids[i]!] === 1) out.push(evs[i]!);
  return out;
}

/** Ascending positions of several ascending lists (of distinct templates: no position twice), merged. */
function mergePositions(lists: Int32Array[]): number[] {
  if (lists.length === 0) return [];
  if (lists.length === 1) return Array.from(lists[0]!);
  let n = 0;
  for (const l of lists) n += l.length;
  const all = new Int32Array(n);
  let k = 0;
  for (const l of lists) {
    all.set(l, k);
    k += l.length;
  }
  all.sort();
  return Array.from(all);
}
