// Building blocks detectors share: evidence lines with their input:line, redacted (times and
// durations as text are words: src/words.ts).
import type { Evidence } from '../../model.js';
import type { TimelineEvent, TimelineSummary, TemplateSummary } from '../../timeline/timeline.js';
import { cutText, redact } from '../../redact.js';
import { isoOf } from '../../ingest/timestamp.js';

const MAX_TEXT = 400;

/** `path:line` of an event or example. */
export function locationOf(t: TimelineSummary, input: number, line: number): string {
  return `${t.inputPaths[input] ?? `input${input}`}:${line}`;
}

/** Evidence for one kept event: its time, service, input:line and redacted text. */
export function evidenceOf(t: TimelineSummary, ev: TimelineEvent): Evidence {
  return { timestamp: isoOf(ev.ts), service: ev.service, location: locationOf(t, ev.input, ev.line), text: redact(cutText(ev.message, MAX_TEXT)) };
}

/** Evidence from a template's stored examples. */
export function evidenceOfTemplate(t: TimelineSummary, tpl: TemplateSummary, max = 3): Evidence[] {
  return tpl.examples.slice(0, max).map((x) => ({
    timestamp: isoOf(x.ts),
    service: tpl.service,
    location: locationOf(t, x.input, x.line),
    text: redact(cutText(x.text, MAX_TEXT)),
  }));
}
