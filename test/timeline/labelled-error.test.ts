// Railway labels every line written to standard error `error`; hindsight counts a record at the
// level its message announces. The timeline counts both, so that the report can say why it finds
// fewer errors than Railway's dashboard.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTimeline } from '../../src/pipeline.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { conclude } from '../../src/conclusions/insights.js';

describe('records labelled error', () => {
  it('are counted, with those whose message announces a lower level, from JSON and text alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-labelled-'));
    const json = (message: string, level: string, s: number) => JSON.stringify({ message, level, timestamp: `2026-05-04T10:00:${String(s).padStart(2, '0')}Z` });
    writeFileSync(
      join(dir, 'api.jsonl'),
      [
        json('INFO:     10.0.0.7:41000 - "GET /health HTTP/1.1" 200 OK', 'error', 1),
        json('2026-05-04 10:00:02.120 UTC [55] LOG:  checkpoint starting: time', 'error', 2),
        json('Invoice sync failed: upstream returned 502', 'error', 3),
        json('WARNING:  pool nearly exhausted (18/20)', 'error', 4),
        json('Invoice sync done', 'info', 5),
      ].join('\n') + '\n',
    );
    writeFileSync(join(dir, 'worker.log'), '2026-05-04T10:00:06  [err] INFO Started worker 3\n2026-05-04T10:00:07  [err] Traceback-free crash: exit 1\n2026-05-04T10:00:08  [inf] idle\n');
    const { summary } = await readTimeline([dir]);
    expect(summary.totals.labelledError).toBe(6);
    // The uvicorn INFO line, the PostgreSQL LOG, the WARNING and the worker's INFO line.
    expect(summary.totals.labelledErrorNotError).toBe(4);
    expect(summary.totals.byLevel.error).toBe(2);
    const md = renderMarkdown({ timeline: summary, findings: [], runs: [], conclusions: conclude([], summary, []) });
    expect(md).toContain("6 records came labelled `error`, the label Railway gives every line written to standard error; 4 of them announce a lower level");
  });

  it('say nothing when every error label is an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-labelled-'));
    writeFileSync(join(dir, 'api.jsonl'), JSON.stringify({ message: 'Payment failed: card declined', level: 'error', timestamp: '2026-05-04T10:00:00Z' }) + '\n');
    const { summary } = await readTimeline([dir]);
    expect(summary.totals).toMatchObject({ labelledError: 1, labelledErrorNotError: 0 });
    expect(renderMarkdown({ timeline: summary, findings: [], runs: [], conclusions: conclude([], summary, []) })).not.toContain('came labelled');
  });
});
