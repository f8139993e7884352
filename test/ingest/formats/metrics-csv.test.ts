import { describe, expect, it } from 'vitest';
import { metricsCsv, splitCsv } from '../../../src/ingest/formats/metrics-csv.js';
import { runFormat, readText } from '../run-format.js';

describe('metrics-csv', () => {
  it('is recognised from its header and reads one sample per cell', async () => {
    const { summary, metrics } = await readText('timestamp,memory_mb,cpu_vcpu,network_tx_mb\n2026-02-07T19:00:00Z,131.2,0.04,0.8\n2026-02-07T19:01:00Z,140,0.05,\n');
    expect(summary.format).toBe('metrics-csv');
    expect(summary.lines).toBe(3);
    expect(summary.events).toBe(3);
    expect(metrics).toHaveLength(5);
    expect(metrics[0]).toEqual({ service: 'stdin', measurement: 'memory', unit: 'MB', ts: Date.UTC(2026, 1, 7, 19), value: 131.2 });
  });

  it('converts units named in the header, reads a service column, semicolons and epoch times', () => {
    const r = runFormat(metricsCsv, ['time;service;Memory (GiB);cpu_percent;net_rx_bytes;disk_gb', '1770490800;api;0.5;25;2000000;1.2', '1770490860000;worker;0.25;150;0;'], { service: 'file' });
    expect(r.metrics.map((m) => [m.service, m.measurement, m.unit, m.value])).toEqual([
      ['api', 'memory', 'MB', 536.870912],
      ['api', 'cpu', 'vCPU', 0.25],
      ['api', 'network_rx', 'MB', 2],
      ['api', 'disk', 'MB', 1200],
      ['worker', 'memory', 'MB', 268.435456],
      ['worker', 'cpu', 'vCPU', 1.5],
      ['worker', 'network_rx', 'MB', 0],
    ]);
    expect(r.metrics[4]!.ts).toBe(1770490860000);
  });

  it('skips rows without a time or without any number, counts a repeated header as read', () => {
    const r = runFormat(metricsCsv, ['ts,memory_mb', 'yesterday,12', '2026-02-07T19:00:00Z,abc', 'ts,memory_mb', '2026-02-07T19:00:00Z,12']);
    expect(r.skipped.map((s) => s.reason)).toEqual(['no usable time in column 1', 'no numeric value in the measurement columns']);
    expect(r.consumed).toBe(3);
    expect(r.metrics).toHaveLength(1);
  });

  it('does not claim CSV without a time or a measurement column', () => {
    expect(metricsCsv.sniff(['name,email', 'a,b']).score).toBe(0);
    expect(metricsCsv.sniff(['timestamp,user,action']).score).toBe(0);
    expect(metricsCsv.sniff(['date,memory_mb']).score).toBeGreaterThan(0.8);
    // A one-line JSON export of megabytes holds commas and measurement names, but is no header.
    const points = Array.from({ length: 3000 }, (_, i) => `{"ts":${1769932800 + i * 60},"value":0.1}`).join(',');
    expect(metricsCsv.sniff([`{"timestamp":"x","memory_mb":[${points}]}`]).score).toBe(0);
    expect(metricsCsv.sniff([`timestamp,memory_mb,${Array.from({ length: 3000 }, (_, i) => `disk_${i}_gb`).join(',')}`]).score).toBe(0);
  });

  it('splits quoted fields', () => {
    expect(splitCsv('a,"b,c","d ""q"""', ',')).toEqual(['a', 'b,c', 'd "q"']);
  });
});
