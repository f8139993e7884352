import { describe, expect, it } from 'vitest';
import { measurementOfName } from '../../src/ingest/metric-units.js';
import { herokuMemorySample } from '../../src/ingest/heroku-samples.js';

describe('measurementOfName', () => {
  it.each([
    ['MEMORY_USAGE_GB', 'memory', 'MB', 1000],
    ['memory_mb', 'memory', 'MB', 1],
    ['mem_mib', 'memory', 'MB', 1.048576],
    ['container_memory_working_set_bytes', 'memory', 'MB', 1e-6],
    ['process_resident_memory_bytes', 'memory', 'MB', 1e-6],
    ['CPU_USAGE', 'cpu', 'vCPU', 1],
    ['cpu_millicores', 'cpu', 'vCPU', 0.001],
    ['cpu_percent', 'cpu', 'vCPU', 0.01],
    ['NETWORK_TX_GB', 'network_tx', 'MB', 1000],
    ['egress_kb', 'network_tx', 'MB', 0.001],
    ['NETWORK_RX_GB', 'network_rx', 'MB', 1000],
    ['DISK_USAGE_GB', 'disk', 'MB', 1000],
    ['volume_gb', 'disk', 'MB', 1000],
    ['requests_per_s', 'requests_per_s', '', 1],
  ])('%s → %s in %s (×%s)', (name, measurement, unit, factor) => {
    expect(measurementOfName(name)).toMatchObject({ measurement, unit, factor });
  });

  it('marks cpu seconds counters', () => {
    expect(measurementOfName('container_cpu_usage_seconds_total')).toMatchObject({ measurement: 'cpu', counter: true });
  });
});

describe('herokuMemorySample', () => {
  it('reads memory_total and the dyno, not other samples', () => {
    expect(herokuMemorySample('source=web.1 dyno=heroku.1.x sample#memory_total=21.00MB sample#memory_rss=21.22MB')).toEqual({ source: 'web.1', dyno: 'heroku.1.x', mb: 21 });
    expect(herokuMemorySample('source=web.1 sample#load_avg_1m=2.46')).toBeNull();
    expect(herokuMemorySample('sample#memory_total=21.00MB without a source')).toBeNull();
    expect(herokuMemorySample('resource=x source=run.3 sample#memory_total=512kB')).toEqual({ source: 'run.3', mb: 0.512 });
  });
});
