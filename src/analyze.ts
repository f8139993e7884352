// The run, from inputs to findings: read every input into one timeline, then run the detectors.
// The CLI calls this; tests call it too.
import type { Finding, LogEvent, MetricSample } from './model.js';
import { FINDING_SEVERITY_RANK } from './model.js';
import { Timeline, type TimelineSummary } from './timeline/timeline.js';
import { expandInputs, readInput, type ReadOptions } from './ingest/read-input.js';
import { DETECTORS } from './detectors/registry.js';
import type { DetectorOptionValue } from './detectors/detector.js';

export interface TimelineRunOptions extends ReadOptions {
  /** Keep only records and samples at or after / before these times (epoch ms). */
  since?: number;
  until?: number;
  maxTemplates?: number;
  perLine?: boolean;
}

/** Reads the inputs (files, directories, `-`) into one timeline. Throws InputError on unreadable input. */
export async function readTimeline(paths: readonly string[], options: TimelineRunOptions = {}): Promise<{ timeline: Timeline; summary: TimelineSummary }> {
  const files = await expandInputs(paths.length === 0 ? ['-'] : paths);
  const interests = DETECTORS.flatMap((d) => d.meta.interests ?? []);
  const timeline = new Timeline({ maxTemplates: options.maxTemplates, interests, perLine: options.perLine });
  const { since, until } = options;
  const filtered = since !== undefined || until !== undefined;
  const inWindow = (ts: number | null) => ts === null || ((since === undefined || ts >= since) && (until === undefined || ts <= until));
  for (const f of files) {
    const index = timeline.registerInput(f);
    const receiver = filtered
      ? {
          event: (ev: LogEvent) => {
            if (inWindow(ev.ts)) timeline.event(ev);
          },
          metric: (s: MetricSample) => {
            if (inWindow(s.ts)) timeline.metric(s);
          },
        }
      : { event: (ev: LogEvent) => timeline.event(ev), metric: (s: MetricSample) => timeline.metric(s) };
    const summary = await readInput(f, index, receiver, options);
    timeline.addInputSummary(summary);
    if (options.shouldStop?.()) break;
  }
  return { timeline, summary: timeline.finish() };
}

/** Detector options per detector id, overriding the detectors' defaults. */
export type DetectorConfig = Record<string, Record<string, DetectorOptionValue>>;

export interface DetectorRun {
  id: string;
  title: string;
  findings: number;
  /** Set when the detector threw: its findings are missing and the report says so. */
  error?: string;
}

/** Runs every detector (or the ones named) on the summary; findings ordered by severity, then time. */
export function runDetectors(summary: TimelineSummary, config: DetectorConfig = {}, only?: readonly string[]): { findings: Finding[]; runs: DetectorRun[] } {
  const findings: Finding[] = [];
  const runs: DetectorRun[] = [];
  for (const d of DETECTORS) {
    if (only && !only.includes(d.meta.id)) continue;
    const options = { ...d.meta.defaults, ...(config[d.meta.id] ?? {}) };
    try {
      const fs = d.detect(summary, options);
      findings.push(...fs);
      runs.push({ id: d.meta.id, title: d.meta.title, findings: fs.length });
    } catch (e) {
      runs.push({ id: d.meta.id, title: d.meta.title, findings: 0, error: (e as Error).message });
    }
  }
  return { findings: sortFindings(findings), runs };
}

/** Severity first (worst first), then the time of the first evidence, then id: a stable order. */
export function sortFindings(findings: Finding[]): Finding[] {
  const timeOf = (f: Finding) => {
    const t = f.evidence.find((e) => e.timestamp !== null)?.timestamp;
    return t ?? '9999';
  };
  return findings.sort(
    (a, b) =>
      FINDING_SEVERITY_RANK[b.severity] - FINDING_SEVERITY_RANK[a.severity] ||
      (timeOf(a) < timeOf(b) ? -1 : timeOf(a) > timeOf(b) ? 1 : 0) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
