// The lifecycle detectors on real input formats, read through ingest (not built events): Railway's
// dashboard text copy beside a PostgreSQL stderr log, and one Heroku logplex stream holding the
// dynos' and Heroku Postgres' lines together.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTimeline } from '../../../src/pipeline.js';
import { connectionResetPerDeploy } from '../../../src/detectors/connection-reset-per-deploy.js';
import { containerChurn } from '../../../src/detectors/container-churn.js';
import type { TimelineSummary } from '../../../src/timeline/timeline.js';
import { detectOn } from '../../helpers/timeline.js';
import { pairedResets } from '../../helpers/findings.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hindsight-lifecycle-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const iso = (ms: number) => new Date(ms).toISOString();
const pgTime = (ms: number) => iso(ms).replace('T', ' ').replace('Z', ' UTC');

async function timelineOf(files: Record<string, string[]>): Promise<TimelineSummary> {
  const paths = Object.entries(files).map(([name, lines]) => {
    const p = join(dir, name);
    writeFileSync(p, lines.join('\n') + '\n');
    return p;
  });
  return (await readTimeline(paths)).summary;
}

describe('Railway dashboard text + PostgreSQL stderr', () => {
  it('resets at each of 3 stops, and a container replaced after 90 s counts as a quick replacement', async () => {
    const t0 = Date.parse('2026-03-05T06:00:00Z');
    const app: string[] = [];
    const db: string[] = [];
    // Filler across the day so the chance level is realistic.
    for (let h = 0; h < 20; h++) app.push(`${iso(t0 + h * 3600_000).slice(0, 19)}  [info] GET /health 200`);
    const stopsAt = [2, 9, 9.025].map((h) => t0 + h * 3600_000);
    stopsAt.forEach((s, k) => {
      const start = s - 12_000;
      app.push(`${iso(start).slice(0, 19)}  [info] Starting Container`);
      app.push(`${iso(start + 4000).slice(0, 19)}  [err] INFO:     Started server process [1]`);
      app.push(`${iso(start + 5000).slice(0, 19)}  [err] INFO:     Application startup complete.`);
      app.push(`${iso(s).slice(0, 19)}  [info] Stopping Container`);
      app.push(`${iso(s).slice(0, 19)}  [err] INFO:     Shutting down`);
      for (let i = 0; i < 2; i++) db.push(`${pgTime(s + 1500 + i * 40)} [${300 + k * 10 + i}] LOG:  could not receive data from client: Connection reset by peer`);
    });
    db.push(`${pgTime(t0 + 15 * 3600_000)} [999] LOG:  checkpoint starting: time`);
    app.sort();
    const t = await timelineOf({ 'shop-api.log': app, 'db.log': db });
    expect(t.inputs.map((i) => i.format)).toEqual(['railway-text', 'postgres']);
    const resets = detectOn(connectionResetPerDeploy, t);
    expect(resets).toHaveLength(1);
    expect(resets[0]!.data).toMatchObject({ attributed: 6, unattributed: 0 });
    expect((pairedResets(resets[0]!).stops as { service: string; resets: number }[]).map((s) => [s.service, s.resets])).toEqual([
      ['shop-api', 2],
      ['shop-api', 2],
      ['shop-api', 2],
    ]);
    expect(pairedResets(resets[0]!).medianLagSeconds).toBeCloseTo(1.5, 0);
    // Without ids: the app keeps serving after the first stop, so that stop was an older container's;
    // later stops end the oldest running one. 12 s handovers; lives of 7 h 12 s and 102 s.
    const churn = detectOn(containerChurn, t);
    expect(churn).toHaveLength(1);
    expect(churn[0]!.data).toMatchObject({ pairedBy: 'order', quickReplaced: 1, shortLived: 0, replacements: 3, shortestLifetimeSeconds: 102 });
    expect((churn[0]!.data.handovers as { startToStopSeconds: number }[]).map((h) => h.startToStopSeconds)).toEqual([12, 12, 12]);
    expect((churn[0]!.data.containers as { lifetimeSeconds: number | null }[]).map((c) => c.lifetimeSeconds)).toEqual([null, 7 * 3600 + 12, 102, null]);
  });
});

describe('Heroku logplex: dynos and Heroku Postgres in one stream', () => {
  it('attributes the resets to the dyno stops although both share the file\'s service', async () => {
    const t0 = Date.parse('2026-04-11T00:00:00Z');
    const lines: string[] = [];
    const at = (ms: number) => iso(ms).replace('Z', '+00:00');
    for (let h = 0; h < 24; h++) lines.push(`${at(t0 + h * 3600_000)} heroku[router]: at=info method=GET path="/" host=x.herokuapp.com status=200 bytes=10`);
    let seq = 10;
    [3, 11, 19].forEach((h, k) => {
      const s = t0 + h * 3600_000;
      lines.push(`${at(s)} heroku[web.1]: State changed from up to down`);
      lines.push(`${at(s + 200)} heroku[web.1]: Stopping all processes with SIGTERM`);
      for (let i = 0; i < 4; i++) lines.push(`${at(s + 900 + i * 10)} app[postgres.${2000 + k * 10 + i}]: [GREEN] [${seq++}-1]  sql_error_code = 08006 LOG:  could not receive data from client: Connection reset by peer`);
      lines.push(`${at(s + 1500)} heroku[web.1]: Process exited with status 143`);
      lines.push(`${at(s + 20_000)} heroku[web.1]: Starting process with command \`gunicorn app:app\``);
      lines.push(`${at(s + 24_000)} heroku[web.1]: State changed from starting to up`);
    });
    lines.sort();
    const t = await timelineOf({ 'heroku.log': lines });
    expect(t.inputs[0]!.format).toBe('heroku-logplex');
    const fs = detectOn(connectionResetPerDeploy, t);
    expect(fs).toHaveLength(1);
    expect(fs[0]!.data).toMatchObject({ attributed: 12, unattributed: 0 });
    expect((pairedResets(fs[0]!).stops as unknown[]).length).toBe(3);
  });
});

describe('samples/whendoist without deployment ids', () => {
  it.runIf(existsSync('samples/whendoist/whendoist.jsonl'))('pairs the same lives by order as by id', async () => {
    const stripped = readFileSync('samples/whendoist/whendoist.jsonl', 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => {
        const o = JSON.parse(l) as Record<string, unknown>;
        delete o.deploymentId;
        delete o.deploymentInstanceId;
        return JSON.stringify(o);
      });
    const withIds = (await readTimeline(['samples/whendoist/whendoist.jsonl'])).summary;
    const without = await timelineOf({ 'whendoist.jsonl': stripped });
    const rows = (t: TimelineSummary) => (detectOn(containerChurn, t)[0]!.data.containers as { start: string | null; stop: string | null }[]).map((c) => [c.start, c.stop]);
    expect(rows(without)).toEqual(rows(withIds));
    expect(detectOn(containerChurn, without)[0]!.data.pairedBy).toBe('order');
  });
});

describe('deployments.json of hindsight pull railway', () => {
  it("gives Railway's deploy times as platform events, and a crashed deployment as a failure marker of its service", async () => {
    const { lifecycleMarkers } = await import('../../../src/detectors/shared/lifecycle.js');
    const doc = [
      '{"source":"hindsight pull railway","project":{"id":"p1","name":"shop"},"environment":{"id":"e1","name":"production"},"window":{"since":"2026-03-05T00:00:00.000Z","until":"2026-03-06T00:00:00.000Z"},"deployments":[',
      '{"id":"d-old","service":"api","serviceId":"s1","status":"REMOVED","createdAt":"2026-03-04T20:00:00.000Z","statusUpdatedAt":"2026-03-05T09:00:30.000Z","stoppedAt":"2026-03-05T09:00:30.000Z"},',
      '{"id":"d-crash","service":"api","serviceId":"s1","status":"CRASHED","createdAt":"2026-03-05T09:00:00.000Z","statusUpdatedAt":"2026-03-05T14:12:07.000Z","stoppedAt":"2026-03-05T14:12:07.000Z"},',
      '{"id":"d-new","service":"api","serviceId":"s1","status":"SUCCESS","createdAt":"2026-03-05T14:20:00.000Z","statusUpdatedAt":"2026-03-05T14:21:10.000Z","stoppedAt":null}',
      ']}',
    ];
    const t = await timelineOf({ 'deployments.json': doc, 'api.log': ['2026-03-05T08:00:00  [info] GET /health 200'] });
    const input = t.inputs.find((i) => i.path.endsWith('deployments.json'))!;
    expect(input).toMatchObject({ format: 'railway-deployments', lines: 5, events: 5, skipped: 0, records: 6 });
    const crash = lifecycleMarkers(t).filter((m) => m.label === 'railway-deployment-crashed');
    expect(crash).toHaveLength(1);
    expect(crash[0]).toMatchObject({ service: 'api', kind: 'failure', deployment: 'd-crash', ts: Date.parse('2026-03-05T14:12:07Z') });
    expect(crash[0]!.event.line).toBe(3);
  });
});
