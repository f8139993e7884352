// What the reports and the conclusions read of any finding alike (beside the registry, so that both
// import it from the detectors' side, the way data flows): the templates, services and endpoints it names (by
// the field names detectors share), its times, and its count (which its detector's meta.report
// gives). A detector's own fields are read typed (through its meta.report, or narrowed by `detector`
// as the conclusions do); the accessors below (`numberAt`, ...) serve only the reading by shared
// field names, where any detector's data may or may not carry a field.
import type { Finding } from '../model.js';
import type { TemplateSummary, TimelineSummary } from '../timeline/timeline.js';
import { reportMetaOf } from './report-meta.js';

/** A finite number at `data[key]`, or undefined. */
function numberAt(data: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = data?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A string at `data[key]`, or undefined. */
function stringAt(data: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = data?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** Objects of the array at `data[key]` (non-objects dropped). */
function objectsAt(data: Record<string, unknown> | undefined, key: string): Record<string, unknown>[] {
  const v = data?.[key];
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)) : [];
}

/** Strings of the array at `data[key]`. */
function stringsAt(data: Record<string, unknown> | undefined, key: string): string[] {
  const v = data?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** How many times the finding's thing happened, as its detector counts it (meta.report.count). */
export function countOf(f: Finding): number | undefined {
  return reportMetaOf(f).count?.(f);
}

/** A template named by text: the finding's `template` field may hold the text or the stable key. */
function templateText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (typeof o.text === 'string') return o.text;
    if (typeof o.template === 'string') return o.template;
  }
  return undefined;
}

/** Templates, services and endpoints a finding names (for **Affected:**). */
export function affectedOf(f: Finding): { templates: { text: string; count?: number }[]; services: string[]; endpoints: string[] } {
  const templates: { text: string; count?: number }[] = [];
  const seen = new Set<string>();
  const addTemplate = (text: string | undefined, count?: number) => {
    if (text === undefined || seen.has(text)) return;
    seen.add(text);
    templates.push(count === undefined ? { text } : { text, count });
  };
  addTemplate(templateText(f.data.template), countOf(f));
  for (const t of objectsAt(f.data, 'templates')) addTemplate(templateText(t.template ?? t.text), numberAt(t, 'count'));
  for (const t of stringsAt(f.data, 'templates')) addTemplate(t);
  addTemplate(stringAt(f.data, 'leadTemplate'));
  const services = new Set<string>(stringsAt(f.data, 'services'));
  const one = stringAt(f.data, 'service');
  if (one) services.add(one);
  for (const e of f.evidence) services.add(e.service);
  const endpoints = [...stringsAt(f.data, 'endpoints'), ...objectsAt(f.data, 'endpoints').map((e) => stringAt(e, 'endpoint') ?? [stringAt(e, 'method'), stringAt(e, 'path')].filter(Boolean).join(' ')).filter((s) => s.length > 0)];
  return { templates, services: [...services].sort(), endpoints: [...new Set(endpoints)] };
}

/** Templates of the timeline a finding is about (matched by text or key, within its services when known). */
export function templatesOf(f: Finding, t: TimelineSummary): TemplateSummary[] {
  const { templates, services } = affectedOf(f);
  const wanted = new Set(templates.map((x) => x.text));
  if (wanted.size === 0) return [];
  const svc = new Set(services);
  return t.templates.filter((tp) => (wanted.has(tp.text) || wanted.has(tp.key)) && (svc.size === 0 || svc.has(tp.service)));
}

/** Times (epoch ms) of a finding's events: its templates' times when known, else its evidence times. */
export function timesOf(f: Finding, t: TimelineSummary): number[] {
  const tps = templatesOf(f, t);
  if (tps.length > 0) {
    const out: number[] = [];
    for (const tp of tps) for (const ts of tp.times) out.push(ts);
    return out;
  }
  const out: number[] = [];
  for (const e of f.evidence) {
    if (e.timestamp === null) continue;
    const ms = Date.parse(e.timestamp);
    if (!Number.isNaN(ms)) out.push(ms);
  }
  return out;
}
