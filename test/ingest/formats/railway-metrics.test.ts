import { describe, expect, it } from 'vitest';
import { railwayMetrics } from '../../../src/ingest/formats/railway-metrics.js';
import { runFormat, readText } from '../run-format.js';

const t0 = 1770490800; // 2026-02-07T19:00:00Z

function doc(service: string, n: number, step = 60): Record<string, unknown> {
  const series = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => ({ ts: t0 + i * step, value: f(i) }));
  return {
    service,
    environment: 'production',
    window: '1h',
    measurements: {
      MEMORY_USAGE_GB: series((i) => 0.08 + (i % 10) * 0.012),
      CPU_USAGE: series((i) => 0.01 * (1 + (i % 3))),
      NETWORK_TX_GB: series(() => 0.0004),
      NETWORK_RX_GB: series(() => 0.0002),
      DISK_USAGE_GB: series(() => 1.5),
    },
  };
}

describe('railway-metrics', () => {
  it('reads a pretty-printed document, converting GB to MB, line accounting exact', async () => {
    const text = JSON.stringify(doc('api', 30), null, 2) + '\n';
    const { summary, metrics } = await readText(text);
    expect(summary.format).toBe('railway-metrics');
    expect(summary.lines).toBe(text.split('\n').length - 1);
    expect(summary.events).toBe(summary.lines);
    expect(summary.samples).toBe(150);
    const mem = metrics.filter((m) => m.measurement === 'memory');
    expect(mem[0]).toEqual({ service: 'api', measurement: 'memory', unit: 'MB', ts: t0 * 1000, value: 80 });
    expect(mem[1]!.value).toBe(92);
    expect(metrics.find((m) => m.measurement === 'cpu')).toMatchObject({ unit: 'vCPU', value: 0.01 });
    expect(metrics.find((m) => m.measurement === 'network_tx')).toMatchObject({ unit: 'MB', value: 0.4 });
    expect(metrics.find((m) => m.measurement === 'disk')).toMatchObject({ unit: 'MB', value: 1500 });
  });

  it('reads one document per service in a row, compact or pretty', async () => {
    const text = JSON.stringify(doc('api', 3)) + '\n\n' + JSON.stringify(doc('postgres', 4), null, 4) + '\n';
    const { summary, metrics } = await readText(text);
    expect(summary.services).toEqual(['api', 'postgres']);
    expect(metrics.filter((m) => m.service === 'postgres' && m.measurement === 'memory')).toHaveLength(4);
  });

  it('reads ISO times as well as Unix seconds', () => {
    const r = runFormat(railwayMetrics, [JSON.stringify({ service: 'web', measurements: { MEMORY_USAGE_GB: [{ ts: '2026-02-07T19:00:30Z', value: 0.2 }] } })]);
    expect(r.metrics[0]).toMatchObject({ ts: (t0 + 30) * 1000, value: 200 });
  });

  it('reads the GraphQL shape with tags, and the data.metrics wrapper', () => {
    const gql = [
      { measurement: 'MEMORY_USAGE_GB', tags: { deploymentInstanceId: 'inst-1', serviceId: 'svc-uuid' }, values: [{ ts: t0, value: 0.1 }, { ts: t0 + 60, value: 0.11 }] },
      { measurement: 'CPU_USAGE', tags: {}, values: [{ ts: t0, value: 0.5 }] },
    ];
    const r = runFormat(railwayMetrics, JSON.stringify({ data: { metrics: gql } }, null, 2).split('\n'), { service: 'worker' });
    expect(r.metrics).toHaveLength(3);
    expect(r.metrics[0]).toEqual({ service: 'worker', measurement: 'memory', unit: 'MB', ts: t0 * 1000, value: 100, instance: 'inst-1' });
    expect(railwayMetrics.sniff(JSON.stringify(gql, null, 2).split('\n')).score).toBeGreaterThan(0.9);
  });

  it('passes unknown measurements through, with sizes in MB', () => {
    const r = runFormat(railwayMetrics, [JSON.stringify({ service: 'db', measurements: { EPHEMERAL_DISK_USAGE_GB: [{ ts: t0, value: 0.5 }], CPU_LIMIT: [{ ts: t0, value: 8 }] } })]);
    expect(r.metrics.map((m) => [m.measurement, m.unit, m.value])).toEqual([
      ['ephemeral_disk_usage', 'MB', 500],
      ['cpu_limit', '', 8],
    ]);
  });

  it('skips a broken document line by line and keeps the next one', () => {
    const bad = ['{', '  "service": "api",', '  "measurements": {"MEMORY_USAGE_GB": [{"ts": 1, "value": ]}', '}'];
    const good = JSON.stringify(doc('api', 2), null, 2).split('\n');
    const r = runFormat(railwayMetrics, [...bad, ...good]);
    expect(r.skipped).toHaveLength(4);
    expect(r.skipped[0]!.reason).toMatch(/Railway metrics JSON document does not parse: unbalanced brackets/);
    expect(r.skipped.map((s) => s.line)).toEqual([1, 2, 3, 4]);
    expect(r.metrics).toHaveLength(10);
    const balanced = runFormat(railwayMetrics, ['{"service": "api",', '"measurements": {"CPU_USAGE": [{"ts": 1, "value": 0.1},]}}', ...good]);
    expect(balanced.skipped.map((s) => s.line)).toEqual([1, 2]);
    expect(balanced.skipped[0]!.reason).toMatch(/does not parse: .*JSON/);
    expect(balanced.metrics).toHaveLength(10);
  });

  it('skips a document cut off at the end of the input, and stray text', () => {
    const r = runFormat(railwayMetrics, ['garbage before', '{"service": "api", "measurements": {', '  "CPU_USAGE": [']);
    expect(r.skipped.map((s) => s.reason)).toEqual(['not part of a Railway metrics JSON document', 'Railway metrics JSON document is cut off (input ended inside it)', 'Railway metrics JSON document is cut off (input ended inside it)']);
  });

  it('warns about points without a time or value, keeping the others', () => {
    const r = runFormat(railwayMetrics, [JSON.stringify({ service: 'api', measurements: { CPU_USAGE: [{ ts: t0, value: 0.2 }, { ts: null, value: 1 }, { ts: t0 + 60, value: 'n/a' }] } })]);
    expect(r.metrics).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^2 metric points in the document at line 1 had no usable time or value and were left out/);
  });

  it('does not claim Railway logs that mention measurements in a message', async () => {
    const line = JSON.stringify({ message: 'fetched {"measurements": {"MEMORY_USAGE_GB": []}}', timestamp: '2026-02-07T19:00:00Z', level: 'info' });
    expect(railwayMetrics.sniff([line, line]).score).toBe(0);
    const { summary } = await readText([line, line].join('\n'));
    expect(summary.format).toBe('railway-json');
  });

  it('skips valid JSON that is not a metrics document', () => {
    const r = runFormat(railwayMetrics, [JSON.stringify({ hello: 'world' })]);
    expect(r.skipped[0]!.reason).toMatch(/without Railway measurements/);
  });
});
