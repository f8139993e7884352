// A healthy Celery worker and beat write their INFO lines to stderr, which Railway labels `error`.
// Read as Railway gives them, they must count at their own level: no error burst made of a
// scheduler's fan-outs, no finding of medium or worse. The lines are the captured ones of
// test/fixtures/conventions/ (celery 5.2.6), with new times and task ids.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import { FINDING_SEVERITY_RANK } from '../../src/model.js';

const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/conventions', name), 'utf8').split('\n').filter((l) => l.length > 0);

describe('a healthy Celery worker on stderr', () => {
  it('gives no error and no finding of medium or worse, whatever Railway labels its lines', async () => {
    const worker = fixture('celery-worker.txt');
    const beat = fixture('celery-beat.txt');
    // The shapes a fan-out writes: received, the task's own INFO line, succeeded.
    const received = worker.find((l) => l.includes('] Task tasks.tick[') && l.endsWith('received'))!;
    const ran = worker.find((l) => l.endsWith(': tick ran'))!;
    const succeeded = worker.find((l) => l.includes('succeeded in'))!;
    const sending = beat.find((l) => l.includes('Sending due task'))!;
    const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
    const STAMP = /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/;
    const lines: string[] = [];
    const write = (ms: number, text: string, id?: string) => {
      const iso = new Date(ms).toISOString();
      const message = text.replace(STAMP, `[${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`).replace(ID, id ?? '');
      lines.push(JSON.stringify({ message, level: 'error', timestamp: iso }));
    };
    // Task ids in UUID form (version 4) from a seeded xorshift, so that a failure reproduces.
    let seed = 0x2545f491;
    const hex8 = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0).toString(16).padStart(8, '0');
    };
    const taskId = () => {
      const h = hex8() + hex8() + hex8() + hex8();
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) & 3]}${h.slice(17, 20)}-${h.slice(20)}`;
    };
    const start = Date.UTC(2026, 11, 7, 9, 0, 0);
    // Two hours; every five minutes beat fans out 40 tasks that the worker runs within seconds.
    for (let m = 0; m < 120; m += 5) {
      const t = start + m * 60_000;
      write(t, sending);
      for (let k = 0; k < 40; k++) {
        const id = taskId();
        write(t + 20 + k * 50, received, id);
        write(t + 40 + k * 50, ran, id);
        write(t + 45 + k * 50, succeeded, id);
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-healthy-'));
    writeFileSync(join(dir, 'worker.jsonl'), lines.join('\n') + '\n');
    const { summary } = await readTimeline([dir]);
    expect(summary.totals.labelledError).toBe(lines.length);
    expect(summary.totals.labelledErrorNotError).toBe(lines.length);
    expect(summary.totals.byLevel.error).toBe(0);
    const { findings } = runDetectors(summary);
    expect(findings.filter((f) => FINDING_SEVERITY_RANK[f.severity] >= FINDING_SEVERITY_RANK.medium).map((f) => f.title)).toEqual([]);
    expect(findings.filter((f) => f.detector === 'error-cluster')).toEqual([]);
  });
});
