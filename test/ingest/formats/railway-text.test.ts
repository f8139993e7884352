import { describe, expect, it } from 'vitest';
import { railwayText } from '../../../src/ingest/formats/railway-text.js';
import { runFormat, readText } from '../run-format.js';

describe('railway-text', () => {
  it('reads [LEVEL] markers without timestamps', () => {
    const r = runFormat(railwayText, ['[INFO] Booting worker with pid: 12', '[ERRO] Handler timed out after 30s', '[WARN] queue depth 480', 'bare line from stdout']);
    expect(r.events.map((e) => [e.level, e.ts, e.message])).toEqual([
      ['info', null, 'Booting worker with pid: 12'],
      ['error', null, 'Handler timed out after 30s'],
      ['warn', null, 'queue depth 480'],
      ['info', null, 'bare line from stdout'],
    ]);
    expect(r.events[1]!.stream).toBe('ERRO');
  });

  it('reads the dashboard copy form with its timestamp', () => {
    const r = runFormat(railwayText, ['2026-02-07T19:12:02  [err] Database session error: ', '2026-02-07T19:12:03  [inf] Stopping Container']);
    expect(r.events[0]).toMatchObject({ ts: Date.UTC(2026, 1, 7, 19, 12, 2), level: 'error', message: 'Database session error: ' });
    expect(r.events[1]).toMatchObject({ source: 'platform', message: 'Stopping Container' });
  });

  it("an INFO: line labelled err is info; the label is the stream", () => {
    const r = runFormat(railwayText, ['2026-02-07T19:12:02  [err] INFO:     Application startup complete.']);
    expect(r.events[0]).toMatchObject({ level: 'info', stream: 'err' });
  });

  it('reads a PostgreSQL line with a Railway marker as PostgreSQL, joining tab-indented statement lines', () => {
    const r = runFormat(railwayText, [
      '[ERRO] 2026-02-07 19:11:58.300 UTC [815] ERROR:  canceling statement due to statement timeout',
      '[ERRO] 2026-02-07 19:11:58.300 UTC [815] STATEMENT:  SELECT *',
      '\tFROM tasks WHERE id = 4',
      '[INFO] next',
    ]);
    expect(r.events).toHaveLength(2);
    const pg = r.events.find((e) => e.source === 'postgres')!;
    expect(pg).toMatchObject({ level: 'error', levelText: 'ERROR' });
    expect(pg.pg!.statement).toBe('SELECT *\nFROM tasks WHERE id = 4');
  });

  it('joins an indented traceback to its record', () => {
    const r = runFormat(railwayText, ['[ERRO] Exception in ASGI application', '[ERRO] Traceback (most recent call last):', '[ERRO]   File "/app/main.py", line 9, in handler', '[ERRO] ValueError: bad input', '[INFO] recovered']);
    expect(r.events).toHaveLength(2);
    expect(r.events[0]!.message).toContain('ValueError: bad input');
    expect(r.eventLines).toBe(5);
  });

  it('reads a bare message that starts with its own timestamp', () => {
    const r = runFormat(railwayText, ['2026-02-07T19:00:00.250+01:00 worker tick']);
    expect(r.events[0]).toMatchObject({ ts: Date.UTC(2026, 1, 7, 18, 0, 0, 250), message: 'worker tick' });
  });

  it('turns a Heroku logplex runtime-metrics line into a memory sample of its dyno', async () => {
    const { events, metrics } = await readText(
      '2026-02-07T19:12:02.123456+00:00 heroku[worker.2]: source=worker.2 dyno=heroku.1.abc sample#load_avg_1m=0.12\n' +
        '2026-02-07T19:12:02.123456+00:00 heroku[worker.2]: source=worker.2 dyno=heroku.1.abc sample#memory_total=0.25GB sample#memory_rss=200.1MB\n',
    );
    expect(events).toHaveLength(2);
    expect(metrics).toEqual([{ service: 'worker.2', measurement: 'memory', unit: 'MB', ts: Date.UTC(2026, 1, 7, 19, 12, 2, 123), value: 250, instance: 'heroku.1.abc' }]);
  });

  it('skips blank lines', () => {
    const r = runFormat(railwayText, ['[INFO] a', '', '[INFO] b']);
    expect(r.skipped).toEqual([{ line: 2, reason: 'blank line', text: '' }]);
  });
});

describe('the 500 or 5,000 lines of a piped railway logs', () => {
  it('warns on exactly 500 or 5,000 lines, in text and JSON, and not on 499, 501 or 4,999', async () => {
    const { railwayJson } = await import('../../../src/ingest/formats/railway-json.js');
    const text = (n: number) => Array.from({ length: n }, (_, i) => `[${i % 7 === 0 ? 'ERRO' : 'INFO'}] job ${i} done in ${i % 13} ms`);
    const json = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify({ message: `GET /api/items/${i} 200`, level: 'info', timestamp: new Date(Date.UTC(2026, 5, 1) + i * 1000).toISOString() }));
    const warned = (ws: string[], n: string) => ws.some((w) => w.startsWith(`exactly ${n} lines, the cap of a piped railway logs`));
    expect(warned(runFormat(railwayText, text(500)).warnings, '500')).toBe(true);
    expect(runFormat(railwayText, text(500)).warnings.join()).not.toContain('--json');
    const j = runFormat(railwayJson, json(500)).warnings;
    expect(warned(j, '500')).toBe(true);
    expect(j.join()).toContain('railway logs --json (with --since too)');
    expect(j.join()).toContain('hindsight pull railway --project ID --environment NAME --since 6h -o DIR');
    const big = runFormat(railwayJson, json(5000)).warnings;
    expect(warned(big, '5,000')).toBe(true);
    expect(big.join()).toContain('railway logs --json --lines 5000');
    expect(warned(runFormat(railwayText, text(5000)).warnings, '5,000')).toBe(true);
    for (const n of [499, 501, 4999]) {
      expect(runFormat(railwayText, text(n)).warnings.some((w) => w.includes('the cap of a piped')), `text ${n}`).toBe(false);
      expect(runFormat(railwayJson, json(n)).warnings.some((w) => w.includes('the cap of a piped')), `json ${n}`).toBe(false);
    }
  });
});
