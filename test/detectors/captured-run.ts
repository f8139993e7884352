// Captured program output (test/fixtures/vocabulary/) as Railway delivers it: every line its own
// `railway logs --json` entry, stderr labelled `error` and stdout `info`, no deployment id, read
// through hindsight's real ingest and timeline. A line that starts with its own time (Celery's
// `[2026-12-07 17:12:57,462: ...`) keeps it; the others follow the previous line by a millisecond,
// as a burst of writes arrives.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Finding } from '../../src/model.js';
import type { TimelineSummary } from '../../src/timeline/timeline.js';
import { readTimeline } from '../../src/pipeline.js';
import type { Detector, DetectorOptionValue } from '../../src/detectors/detector.js';
import { railwayLine } from '../cli/railway-lines.js';
import { detectOn } from '../helpers/timeline.js';

export interface Capture {
  /** A fixture file name under test/fixtures/vocabulary/, or `{ text }` for lines written in the test. */
  fixture?: string;
  text?: string;
  /** Epoch ms of its first line (lines with their own time keep it). */
  at: number;
  stream?: 'stderr' | 'stdout';
  /** Only the lines from..to (0-based, end excluded). */
  lines?: [number, number];
}

const OWN_TIME = /^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3}): /;

/** The text of a vocabulary fixture. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/vocabulary/${name}`, import.meta.url), 'utf8');
}

/** Railway JSON lines of the captures, in time order. */
export function railwayLinesOf(captures: readonly Capture[]): string[] {
  const out: [number, number, string][] = [];
  let seq = 0;
  for (const c of captures) {
    let lines = (c.fixture !== undefined ? fixtureText(c.fixture) : c.text!).replace(/\n$/, '').split('\n');
    if (c.lines) lines = lines.slice(c.lines[0], c.lines[1]);
    let ts = c.at;
    for (const line of lines) {
      const own = OWN_TIME.exec(line);
      ts = own ? Date.parse(`${own[1]}T${own[2]}.${own[3]}Z`) : ts + 1;
      out.push([ts, seq++, railwayLine(ts, c.stream === 'stdout' ? 'info' : 'error', line)]);
    }
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map((x) => x[2]);
}

/** The timeline summary of the captures read as one Railway JSON file named `<service>.jsonl`. */
export async function capturedTimeline(captures: readonly Capture[], service = 'app'): Promise<TimelineSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-capture-'));
  try {
    const path = join(dir, `${service}.jsonl`);
    writeFileSync(path, railwayLinesOf(captures).join('\n') + '\n');
    return (await readTimeline([path])).summary;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `detector` with its defaults on the captures. */
export async function detectOnCaptures<O extends Record<string, DetectorOptionValue>, D>(detector: Detector<O, D>, captures: readonly Capture[], service = 'app'): Promise<Finding<D>[]> {
  return detectOn(detector, await capturedTimeline(captures, service));
}
