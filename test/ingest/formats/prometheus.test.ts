import { describe, expect, it } from 'vitest';
import { prometheus } from '../../../src/ingest/formats/prometheus.js';
import { runFormat, readText } from '../run-format.js';

const t0 = 1770490800;

function matrix(result: unknown[]) {
  return { status: 'success', data: { resultType: 'matrix', result } };
}

describe('prometheus', () => {
  it('reads container memory in bytes as MB per container label', async () => {
    const body = matrix([
      { metric: { __name__: 'container_memory_working_set_bytes', container: 'api', pod: 'api-7d9f' }, values: [[t0, '125000000'], [t0 + 30, '130500000']] },
      { metric: { __name__: 'container_memory_working_set_bytes', container: 'worker', pod: 'worker-1' }, values: [[t0, '64000000']] },
    ]);
    const { summary, metrics } = await readText(JSON.stringify(body, null, 2));
    expect(summary.format).toBe('prometheus');
    expect(summary.services).toEqual(['api', 'worker']);
    expect(metrics[0]).toEqual({ service: 'api', measurement: 'memory', unit: 'MB', ts: t0 * 1000, value: 125, instance: 'api-7d9f' });
    expect(metrics[1]!.value).toBe(130.5);
  });

  it('turns a cpu seconds counter into vCPU, restarting after a counter reset', () => {
    const body = matrix([
      { metric: { __name__: 'process_cpu_seconds_total', job: 'app', instance: '10.0.0.5:9100' }, values: [[t0, '100'], [t0 + 60, '106'], [t0 + 120, '118'], [t0 + 180, '2'], [t0 + 240, '5']] },
    ]);
    const r = runFormat(prometheus, [JSON.stringify(body)], { service: 'app' });
    expect(r.metrics.map((m) => m.value)).toEqual([0.1, 0.2, 0.05]);
    expect(r.metrics[0]).toMatchObject({ service: 'app', measurement: 'cpu', unit: 'vCPU', instance: '10.0.0.5:9100', ts: (t0 + 60) * 1000 });
  });

  it('takes the measurement from the file name when a rate() query dropped __name__', () => {
    const body = matrix([{ metric: { container: 'api' }, values: [[t0, '0.25']] }]);
    const r = runFormat(prometheus, [JSON.stringify(body)], { path: '/tmp/cpu-rate.json' });
    expect(r.metrics).toEqual([{ service: 'api', measurement: 'cpu', unit: 'vCPU', ts: t0 * 1000, value: 0.25 }]);
    const unnamed = runFormat(prometheus, [JSON.stringify(body)], { path: '/tmp/export.json' });
    expect(unnamed.metrics).toEqual([]);
    expect(unnamed.warnings[0]).toMatch(/no __name__/);
  });

  it('reads instant vectors', () => {
    const body = { status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'process_resident_memory_bytes', service: 'api' }, value: [t0 + 0.5, '52428800'] }] } };
    const r = runFormat(prometheus, [JSON.stringify(body)]);
    expect(r.metrics[0]).toMatchObject({ service: 'api', measurement: 'memory', value: 52.4288, ts: t0 * 1000 + 500 });
  });

  it('skips an error response with its message', () => {
    const r = runFormat(prometheus, [JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 4' })]);
    expect(r.skipped[0]!.reason).toBe('Prometheus response is an error: parse error at char 4');
  });
});
