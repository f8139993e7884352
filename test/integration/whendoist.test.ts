// The proof of the detector issue: on samples/whendoist (the incident of the hardening review,
// seeds/000, over seven days) hindsight finds by itself what the review found by hand.
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTimeline, runDetectors } from '../../src/pipeline.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Finding } from '../../src/model.js';
import { conclude } from '../../src/conclusions/insights.js';

let findings: Finding[] = [];
const byDetector = (id: string) => findings.filter((f) => f.detector === id);
/** A finding's data; a test that reads a field's inside names the shape it expects. */
const data = (f: Finding) => f.data as Record<string, unknown>;

beforeAll(async () => {
  const { summary } = await readTimeline(['samples/whendoist']);
  findings = runDetectors(summary).findings;
});

describe('samples/whendoist reproduces the hardening review', () => {
  it('1.1: one finding per empty-message template, the hourly materialization errors among them', () => {
    const empty = byDetector('empty-error-message');
    const templates = empty.map((f) => data(f).template as string);
    expect(new Set(templates).size).toBe(templates.length);
    const mat = empty.find((f) => /^Materialization loop error:/.test(data(f).template as string));
    const db = empty.find((f) => /^Database session error:/.test(data(f).template as string));
    expect(mat).toBeDefined();
    expect(db).toBeDefined();
    expect(data(mat!).count).toBe(165);
    expect(data(db!).count).toBe(5);
    expect(data(mat!).services).toEqual(['whendoist']);
    expect(mat!.recommendation).toMatch(/traceback|exception/i);
  });

  it('1.1 timing: the errors drift 1-2 minutes an hour beside the exact hourly cadence of the successes', () => {
    const drift = byDetector('cadence-drift').find((f) => /^Materialization loop error:/.test(data(f).template as string));
    expect(drift).toBeDefined();
    const d = data(drift!);
    expect(d.periodSeconds).toBe(3600);
    expect(d.driftSecondsPerCycle).toBeGreaterThanOrEqual(60);
    expect(d.driftSecondsPerCycle).toBeLessThanOrEqual(120);
    expect(d.occurrences).toBe(165);
    expect(d.exactCadence).toMatchObject({ periodSeconds: 3600 });
    expect((d.exactCadence as { template: string }).template).toMatch(/^Materialized <\*> task instances/);
  });

  it('1.2: the 19:12 cluster, 5 user-facing failures in 25 s, led by the materialization error 20 s earlier', () => {
    const clusters = byDetector('error-cluster');
    expect(clusters).toHaveLength(1);
    const d = data(clusters[0]!);
    expect(d.start).toBe('2026-02-07T19:12:22.081Z');
    expect(d.leadTemplate).toMatch(/^Materialization loop error:/);
    expect(d.leadTimestamp).toBe('2026-02-07T19:12:02.412Z');
    expect(d.leadSeconds).toBe(20);
    expect(d.userFacing).toBe(5);
    expect(d.durationSeconds).toBe(25);
    expect(d.endpoints).toEqual([
      { endpoint: 'GET /dashboard', count: 4 },
      { endpoint: 'GET /', count: 1 },
    ]);
    expect(d.recoveredAfterSeconds).toBeGreaterThan(0);
  });

  it('1.3: three connection resets at each of the six container stops', () => {
    const resets = byDetector('connection-reset-per-deploy');
    expect(resets).toHaveLength(1);
    const d = data(resets[0]!);
    const stops = d.stops as { timestamp: string; resets: number }[];
    expect(stops.map((s) => s.timestamp.slice(11, 16))).toEqual(['19:21', '19:39', '21:39', '01:53', '02:57', '03:00']);
    expect(stops.every((s) => s.resets === 3)).toBe(true);
    expect(d.attributed).toBe(18);
    expect(d.unattributed).toBe(0);
    expect(resets[0]!.recommendation).toMatch(/dispose/);
  });

  it('1.4: the rapid start/stop cycles, 9 s after the start at 02:57 and 5 s after start-up completed at 03:00', () => {
    const churn = byDetector('container-churn');
    expect(churn).toHaveLength(1);
    const h = data(churn[0]!).handovers as { stop: string; startToStopSeconds: number; readyToStopSeconds: number }[];
    const at0257 = h.find((x) => x.stop === '2026-02-08T02:57:30Z');
    const at0300 = h.find((x) => x.stop === '2026-02-08T03:00:35Z');
    expect(at0257?.startToStopSeconds).toBe(9);
    expect(at0300?.readyToStopSeconds).toBe(5);
    expect(data(churn[0]!).startupSeconds).toContain(3.2);
  });

  it('2.1: memory in an 80-200 MB sawtooth for the app, flat for PostgreSQL', () => {
    const mem = byDetector('memory-sawtooth');
    const app = mem.find((f) => data(f).service === 'whendoist');
    const pg = mem.find((f) => data(f).service === 'postgres');
    expect(data(app!).shape).toBe('sawtooth');
    expect(data(app!).minMb).toBeGreaterThan(70);
    expect(data(app!).minMb).toBeLessThan(95);
    expect(data(app!).maxMb).toBeGreaterThan(190);
    expect(data(app!).maxMb).toBeLessThan(215);
    expect(data(pg!).shape).toBe('flat');
  });

  it('2.5: memory is about 97% of the cost', () => {
    const cost = byDetector('cost-breakdown');
    expect(cost).toHaveLength(1);
    const items = data(cost[0]!).items as { resource: string; share: number }[];
    const memory = items.find((i) => i.resource === 'memory')!;
    expect(memory.share).toBeGreaterThan(0.95);
    expect(memory.share).toBeLessThan(0.99);
    expect(items[0]!.resource).toBe('memory');
  });

  it('orders findings by severity, then time', () => {
    const rank = { critical: 4, high: 3, medium: 2, low: 1, info: 0 } as const;
    for (let i = 1; i < findings.length; i++) expect(rank[findings[i - 1]!.severity]).toBeGreaterThanOrEqual(rank[findings[i]!.severity]);
  });
});

describe('samples/whendoist with coloured messages', () => {
  it('finds the same incidents when the app colours its log lines, and no escape reaches the report', async () => {
    // The app's messages as a colouring logger writes them: a colour on the first word, a reset,
    // now and then a window title; the other inputs as they are.
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-colour-'));
    const styles = [(m: string) => m.replace(/^(\S+)/, '\u001b[31m$1\u001b[0m'), (m: string) => `\u001b[1;36m${m}\u001b[39;22m`, (m: string) => `${m}\u001b]0;worker\u0007`];
    const lines = readFileSync('samples/whendoist/whendoist.jsonl', 'utf8').split('\n').filter(Boolean);
    const coloured = lines.map((l, i) => {
      const o = JSON.parse(l) as { message: string };
      if (!o.message.startsWith('Starting Container') && !o.message.startsWith('Stopping Container')) o.message = styles[i % styles.length]!(o.message);
      return JSON.stringify(o);
    });
    expect(coloured.filter((l) => l.includes('\\u001b')).length).toBeGreaterThan(lines.length * 0.9);
    writeFileSync(join(dir, 'whendoist.jsonl'), coloured.join('\n') + '\n');
    for (const f of ['postgres.jsonl', 'metrics.json']) copyFileSync(join('samples/whendoist', f), join(dir, f));

    const { summary } = await readTimeline([dir]);
    const run = runDetectors(summary);
    const shape = (fs: Finding[]) => fs.map((f) => [f.detector, f.severity, f.title]);
    expect(shape(run.findings)).toEqual(shape(findings));
    const report = renderMarkdown({ timeline: summary, findings: run.findings, runs: run.runs, conclusions: conclude(run.findings, summary, run.runs) });
    // eslint-disable-next-line no-control-regex -- no control character but tab and newline may reach the report
    expect(report).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });
});

