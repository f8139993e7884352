// Which kept events a detector has to look at, decided per template rather than per event. The
// detectors look for messages of a few kinds ("could not receive data from client", X_START,
// TimeoutError) among up to 200,000 kept events; testing every regex on every event made the
// detectors a quarter of the analyze time. A template's messages share its constant text, so a
// template whose text, examples and first and last kept messages cannot match is skipped whole,
// and only the events of the remaining templates are tested one by one, with the detector's own
// test, so that the findings are the same as a test of every event.
//
// Where that could miss: a signal that only ever sits in a template's variable part and not in any
// of its probes (text with variables read as a number, an empty string or the caller's probe
// values), examples, first or last message; and a signal in the attributes (a status field) of a
// template whose first ATTR_PROBES events and last one do not carry that attribute at all.
// Templates with few kept events (SMALL_TEMPLATE) are therefore always tested event by event, as
// are the overflow templates (any message at all).
import type { TimelineEvent, TimelineSummary } from '../timeline/timeline.js';
import { OVERFLOW_TEXT } from '../templates/miner.js';

/** A test on a message: true when the event may be of interest to the detector. */
export type MessageTest = (message: string) => boolean;

/** Templates with at most this many kept events are tested event by event: cheap, and never wrong. */
const SMALL_TEMPLATE = 256;
const WILDCARD_RE = /<\*>/g;

interface TemplateEvents {
  /** The template id, or -1 for the catch-all list of a summary whose ids are not the timeline's. */
  id: number;
  /** Positions in `t.events` of the template's kept events, ascending. */
  positions: Int32Array;
  /** The template's text, examples and first and last kept messages, or null: test every event. */
  probes: string[] | null;
  text: string | null;
}

interface Index {
  templates: TemplateEvents[];
  /** The same, by template id (empty for a summary whose ids are not the timeline's). */
  byId: (TemplateEvents | undefined)[];
  /** Candidate events per test (and probe values): detectors sharing a test share the work. */
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
    ix = { templates: [{ id: -1, positions: Int32Array.from(evs.keys()), probes: null, text: null }], byId: [], candidates: new Map() };
    INDEX.set(t, ix);
    return ix;
  }
  const counts = new Int32Array(maxId + 1);
  for (let i = 0; i < ids.length; i++) counts[ids[i]!]!++;
  const lists: (Int32Array | null)[] = Array.from(counts, (c) => (c > 0 ? new Int32Array(c) : null));
  const fill = new Int32Array(maxId + 1);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    lists[id]![fill[id]!++] = i;
  }
  const byId = new Map(t.templates.map((tp) => [tp.id, tp]));
  const templates: TemplateEvents[] = [];
  for (let id = 0; id <= maxId; id++) {
    const positions = lists[id];
    if (positions === null || positions === undefined) continue;
    const tp = byId.get(id);
    if (tp === undefined || tp.text === OVERFLOW_TEXT || positions.length <= SMALL_TEMPLATE) {
      templates.push({ id, positions, probes: null, text: null });
      continue;
    }
    const first = evs[positions[0]!]!.message;
    const last = evs[positions[positions.length - 1]!]!.message;
    const probes = [tp.text, tp.text.replace(WILDCARD_RE, ''), tp.text.replace(WILDCARD_RE, '1'), first, last, ...tp.examples.map((x) => x.text)];
    templates.push({ id, positions, probes, text: tp.text });
  }
  const byIdList: (TemplateEvents | undefined)[] = [];
  for (const te of templates) byIdList[te.id] = te;
  ix = { templates, byId: byIdList, candidates: new Map() };
  INDEX.set(t, ix);
  return ix;
}

/** Kept events of a template looked at for attributes before its events are judged to have none of the keys. */
const ATTR_PROBES = 16;

/** Whether the template's first ATTR_PROBES events or its last carry any of `keys` in their attributes. */
function attrsMayCarry(t: TimelineSummary, positions: Int32Array, keys: readonly string[]): boolean {
  const n = positions.length;
  for (let j = 0; j < n; j++) {
    if (j === ATTR_PROBES) j = n - 1;
    const a = t.events[positions[j]!]!.attrs;
    if (a !== undefined) for (const k of keys) if (a[k] !== undefined) return true;
  }
  return false;
}

/**
 * The kept events a detector must test, in timeline order: every event of the templates whose
 * probes pass `test` (see the top of this file), of small templates and of overflow templates.
 * The detector still applies its own test to each; `probeValues` are extra values its signal may
 * take in a template's variables (an HTTP status `504`), tried in place of every `<*>`; events
 * with any of `attrKeys` in their attributes are candidates too (a status field beside the message).
 */
export function candidateEvents(t: TimelineSummary, test: MessageTest, probeValues: readonly string[] = [], attrKeys: readonly string[] = []): TimelineEvent[] {
  const ix = indexOf(t);
  let perTest = ix.candidates.get(test);
  if (perTest === undefined) ix.candidates.set(test, (perTest = new Map()));
  const key = probeValues.join('\u0000') + '\u0001' + attrKeys.join('\u0000');
  const cached = perTest.get(key);
  if (cached !== undefined) return cached;
  const lists: Int32Array[] = [];
  for (const te of ix.templates) {
    if (
      te.probes === null ||
      te.probes.some(test) ||
      probeValues.some((v) => test(te.text!.replace(WILDCARD_RE, v))) ||
      (attrKeys.length > 0 && attrsMayCarry(t, te.positions, attrKeys))
    ) {
      lists.push(te.positions);
    }
  }
  const out = mergePositions(lists).map((i) => t.events[i]!);
  perTest.set(key, out);
  return out;
}

/** Kept-event positions (in `t.events`, ascending) per template, computed once per summary; id −1 holds every event of a summary whose ids are not the timeline's. */
export function templatePositions(t: TimelineSummary): ReadonlyArray<{ readonly id: number; readonly positions: Int32Array }> {
  return indexOf(t).templates;
}

/** Whether some kept message of template `id` may pass `test`, judged on its probes (always true for small and overflow templates). */
export function templateMayMatch(t: TimelineSummary, id: number, test: MessageTest): boolean {
  const ix = indexOf(t);
  const te = ix.byId[id];
  return te === undefined || te.probes === null || te.probes.some(test);
}

/** The events at the positions of several lists (ascending, no position in two), in timeline order. */
export function eventsAt(t: TimelineSummary, lists: Int32Array[]): TimelineEvent[] {
  return mergePositions(lists).map((i) => t.events[i]!);
}

/** The kept events of the templates `chosen` picks (by template id), in timeline order (all events when the ids are not the timeline's: callers still check `ev.template`). */
export function eventsOfTemplates(t: TimelineSummary, chosen: (templateId: number) => boolean): TimelineEvent[] {
  const lists: Int32Array[] = [];
  for (const te of indexOf(t).templates) if (te.id < 0 || chosen(te.id)) lists.push(te.positions);
  return mergePositions(lists).map((i) => t.events[i]!);
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
