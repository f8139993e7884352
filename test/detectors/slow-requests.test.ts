// slow-requests on the stack labs' captures (test/fixtures/stacks/README.md and the READMEs beside
// each run): the planted slow requests found with their numbers, no finding of medium or worse on a
// healthy run. The request lines' reading is tested in test/timeline/request-latency.test.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import { FINDING_SEVERITY_RANK } from '../../src/model.js';
import type { SlowRequestsData } from '../../src/detectors/slow-requests.js';

const STACKS = join(import.meta.dirname, '../fixtures/stacks');

describe('slow-requests', () => {
  const analyze = async (run: string) => {
    const dir = join(STACKS, run);
    const paths = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, f));
    const { summary } = await readTimeline(paths);
    return runDetectors(summary).findings.filter((f) => f.detector === 'slow-requests');
  };

  it('the planted slow requests are found with their numbers: bunyan (3 of 4 s on /slow, requests waiting on the exhausted pool), Rails and Go', async () => {
    const [bunyan] = await analyze('node-shapes/bunyan/faults');
    expect(bunyan!.severity).toBe('medium');
    const ends = (bunyan!.data as SlowRequestsData).endpoints;
    expect(ends.find((e) => e.endpoint === 'GET /slow')).toMatchObject({ slowCount: 3 });
    expect(Math.round(ends.find((e) => e.endpoint === 'GET /slow')!.maxMs / 1000)).toBe(4);
    const [rails] = await analyze('ruby/faults');
    expect(rails!.data).toMatchObject({ slowCount: 4, service: 'web' });
    // Go (zap): the 3 reports holding pgxpool's 3 connections for 3 s, the 5 requests that waited 1 s for one (facts.json).
    const [go] = await analyze('go/faults');
    expect(go!.severity).toBe('medium');
    expect((go!.data as SlowRequestsData).endpoints.map((e) => [e.endpoint, e.slowCount])).toEqual([['GET /orders', 5], ['GET /report', 3]]);
  });

  it('healthy runs of every lab give no slow-requests finding of medium or worse', async () => {
    for (const run of ['node/healthy', 'node-shapes/bunyan/healthy', 'node-shapes/winston-simple-morgan-dev/healthy', 'ruby/healthy', 'go/healthy', 'python/healthy']) {
      const fs = await analyze(run);
      expect(fs.filter((f) => FINDING_SEVERITY_RANK[f.severity] >= FINDING_SEVERITY_RANK.medium).map((f) => f.title), run).toEqual([]);
    }
  });
});
