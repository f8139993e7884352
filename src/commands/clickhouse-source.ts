// What `analyze` and `digest` do with a clickhouse:// input: the table checked, the window and
// services pushed into the query's WHERE clause (relative --since/--until count back from the
// table's newest record, as for files from the newest line), and each service's records read as
// Railway-JSON lines through ingest, as a pulled file is.
import { readTimelineOf, type TimelineRunOptions } from '../pipeline.js';
import type { Timeline, TimelineSummary } from '../timeline/timeline.js';
import type { LeftOut } from '../pipeline.js';
import { HttpExecutor, type QueryExecutor } from '../sources/clickhouse/executor.js';
import { ClickHouseSource } from '../sources/clickhouse/source.js';
import { parseClickHouseUrl, type ClickHouseTarget } from '../sources/clickhouse/target.js';
import { needsAnchor, resolveWindow, type TimeSpec } from './time-range.js';
import { UsageError } from './io.js';
import { isoSeconds } from '../words.js';

/** Makes the executor for a target: a server over HTTP, or (in tests) the embedded engine. */
export type ExecutorFactory = (target: ClickHouseTarget) => QueryExecutor;

export interface ClickHouseRead {
  timeline: Timeline;
  summary: TimelineSummary;
  leftOut: LeftOut;
  window: { since?: number; until?: number };
}

/** Reads the table that `url` names into a timeline; Ctrl-C (`signal`) cancels the query on the server. */
export async function readClickHouse(
  url: string,
  spec: { since?: TimeSpec; until?: TimeSpec; services: readonly string[] },
  options: TimelineRunOptions,
  signal: AbortSignal,
  env: NodeJS.ProcessEnv,
  executorFor: ExecutorFactory = (t) => new HttpExecutor(t),
): Promise<ClickHouseRead> {
  const target = parseClickHouseUrl(url, env);
  const source = new ClickHouseSource(target, executorFor(target));
  try {
    await source.check();
    let anchor: number | null = null;
    if (needsAnchor(spec.since, spec.until)) {
      anchor = await source.newest(spec.services);
      if (anchor === null) throw new UsageError(`--since/--until ${spec.since?.text ?? spec.until?.text}: ${target.shown} has no record${spec.services.length > 0 ? ` of ${spec.services.join(', ')}` : ''} to count back from`);
    }
    const window = resolveWindow(spec.since, spec.until, anchor);
    const selection = { ...window, services: spec.services };
    const services = await source.services(selection);
    if (services.length === 0) {
      const w = window.since !== undefined || window.until !== undefined ? ` from ${window.since !== undefined ? isoSeconds(window.since) : 'the start'} to ${window.until !== undefined ? isoSeconds(window.until) : 'the end'}` : '';
      throw new UsageError(`no record in ${target.shown}${spec.services.length > 0 ? ` for ${spec.services.join(', ')}` : ''}${w}`);
    }
    const read = await readTimelineOf(
      source.inputs(
        services.map((s) => s.service),
        selection,
        signal,
      ),
      { ...options, ...window, inputFormat: 'railway-json' },
    );
    return { ...read, window };
  } finally {
    await source.close();
  }
}
