import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ignoreMatcher, loadConfig, parseConfig } from '../../src/config.js';
import { defineDetector, type DetectedFinding } from '../../src/detectors/detector.js';
import { runCli } from './run-cli.js';
import { railwayLine } from './railway-lines.js';

const fake = defineDetector({
  meta: { id: 'fake', title: 'Fake', explanation: 'test', defaults: { minCount: 3, label: 'x', strict: false, windows: [60, 300], names: [] as string[] } },
  detect: (): DetectedFinding[] => [],
});
const cost = defineDetector({
  meta: {
    id: 'cost-breakdown', title: 'Cost', explanation: 'test',
    defaults: { memoryGbMonth: 10, vcpuMonth: 20, minutesPerMonth: 43200 },
    optionDocs: { memoryGbMonth: 'USD per GB-month', vcpuMonth: 'USD per vCPU-month', minutesPerMonth: 'minutes in a month' },
  },
  detect: (): DetectedFinding[] => [],
});

// Issue 19: values were not range-checked (minFailures: -5, alpha: 2, a price of 1e308 printed
// "$Infinity"), and threshold keys __proto__ / toString slipped through.
describe('configuration ranges (issue 19)', () => {
  const bad: [string, unknown, RegExp][] = [
    ['{"detectors":{"error-cluster":{"minFailures":-5}}}', null, /detectors\.error-cluster\.minFailures: expected a whole number from 1 to 1,000,000 \(default 3\), got -5$/],
    ['{"detectors":{"error-cluster":{"minFailures":2.5}}}', null, /minFailures: expected a whole number from 1 to 1,000,000 \(default 3\), got 2\.5$/],
    ['{"detectors":{"error-cluster":{"alpha":2}}}', null, /detectors\.error-cluster\.alpha: expected a number from 0 to 1 \(default 0\.001\), got 2$/],
    ['{"prices":{"memoryGbMonth":1e308}}', null, /prices\.memoryGbMonth: expected a number from 0 to 1,000,000, got 1e\+308$/],
    ['{"detectors":{"error-cluster":{"__proto__":1}}}', null, /detectors\.error-cluster\.__proto__: unknown threshold; error-cluster takes: minFailures, /],
    ['{"detectors":{"error-cluster":{"toString":1}}}', null, /detectors\.error-cluster\.toString: unknown threshold/],
    // A service alias under a name every object has: __proto__ would have set the map's prototype and lost the alias.
    ['{"services":{"__proto__":"web"}}', null, /services\.__proto__: a reserved name of JavaScript objects, not accepted as a service name$/],
    ['{"services":{"api":"web","constructor":"web"}}', null, /services\.constructor: a reserved name of JavaScript objects/],
    ['{"detectors":{"slow-queries":{"top":-1}}}', null, /slow-queries\.top: expected a whole number from 0 to 1,000,000,000/],
    ['{"detectors":{"memory-sawtooth":{"minCycleR2":1.5}}}', null, /minCycleR2: expected a number from 0 to 1 \(default 0\.7\)/],
  ];
  it("refuses values out of each option's range, with one line naming the key and the range", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-ranges-'));
    const log = join(dir, 'app.jsonl');
    writeFileSync(log, railwayLine(Date.parse('2026-06-01T00:00:00Z'), 'info', 'worker started') + '\n');
    for (const [text, , message] of bad) {
      writeFileSync(join(dir, 'hindsight.config.json'), text);
      const r = await runCli(['analyze', log], { cwd: dir });
      expect(r.code, text).toBe(2);
      expect(r.stdout, text).toBe('');
      expect(r.stderr.split('\n').filter(Boolean), text).toHaveLength(1);
      expect(r.stderr.trimEnd(), text).toMatch(message);
    }
    // In range, fractional durations included: accepted.
    writeFileSync(join(dir, 'hindsight.config.json'), '{"detectors":{"error-cluster":{"minFailures":1,"alpha":0.05},"slow-queries":{"thresholdMs":250.5}},"prices":{"memoryGbMonth":0}}');
    expect((await runCli(['analyze', log], { cwd: dir })).code).toBe(0);
  });

  it('hindsight detectors and docs/detectors.md show the same ranges the configuration checks', async () => {
    const listed = (await runCli(['detectors'])).stdout;
    expect(listed).toContain('  minFailures = 3 [a whole number from 1 to 1,000,000]');
    expect(listed).toContain('  alpha = 0.001 [a number from 0 to 1]');
    expect(readFileSync('docs/detectors.md', 'utf8')).toContain('| `minFailures` | `3` | a whole number from 1 to 1,000,000 |');
  });
});

describe('configuration', () => {
  it('accepts thresholds of the right type, checked against the detector defaults', () => {
    const cfg = parseConfig({ detectors: { fake: { minCount: 5, label: 'y', strict: true, windows: [30], names: ['a'] } } }, 'c.json', [fake]);
    expect(cfg.detectors.fake).toEqual({ minCount: 5, label: 'y', strict: true, windows: [30], names: ['a'] });
  });

  it.each([
    [{ detectors: { fake: { minCount: '5' } } }, 'c.json: detectors.fake.minCount: expected a number (default 3), got "5"'],
    [{ detectors: { fake: { strict: 1 } } }, 'c.json: detectors.fake.strict: expected true or false (default false), got 1'],
    [{ detectors: { fake: { windows: ['60'] } } }, 'c.json: detectors.fake.windows: expected an array of numbers (default [60,300]), got ["60"]'],
    [{ detectors: { fake: { maxCount: 5 } } }, 'c.json: detectors.fake.maxCount: unknown threshold; fake takes: minCount, label, strict, windows, names'],
    [{ detectors: { fake: 3 } }, 'c.json: detectors.fake: expected an object of thresholds'],
    [{ prices: { memoryGbMonth: 10 } }, 'c.json: prices: there is no cost-breakdown detector to use them'],
  ])('rejects %j', (raw, message) => {
    expect(() => parseConfig(raw, 'c.json', [fake])).toThrow(new ConfigError(message));
  });

  it('maps prices onto the cost detector, and only its currency options are prices', () => {
    const cfg = parseConfig({ prices: { memoryGbMonth: 12.5 }, detectors: { 'cost-breakdown': { minutesPerMonth: 44640 } } }, 'c.json', [cost]);
    expect(cfg.detectors['cost-breakdown']).toEqual({ minutesPerMonth: 44640, memoryGbMonth: 12.5 });
    expect(() => parseConfig({ prices: { minutesPerMonth: 1 } }, 'c.json', [cost])).toThrow('prices.minutesPerMonth: unknown price; known prices: memoryGbMonth, vcpuMonth');
    expect(() => parseConfig({ prices: { vcpuMonth: -1 } }, 'c.json', [cost])).toThrow('prices.vcpuMonth: expected a number from 0 to 1,000,000, got -1');
  });

  it('hands declared periodic jobs to the known-jobs detector', () => {
    const cfg = parseConfig({ periodicJobs: [{ match: '^Materialized', periodSeconds: 3600, service: 'web' }, { match: 'cleanup', periodSeconds: 86400 }] }, 'c.json');
    expect(cfg.detectors['known-jobs']).toEqual({ jobs: ['3600|web|^Materialized', '86400||cleanup'] });
    expect(() => parseConfig({ periodicJobs: [{ match: 'x', periodSeconds: 60, every: 1 }] }, 'c.json')).toThrow('c.json: periodicJobs[0].every: unknown key; known keys: match, periodSeconds, service');
  });

  it('finds hindsight.config.json in the working directory only when no file is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-cfg-'));
    expect(loadConfig(undefined, dir, [fake]).path).toBeNull();
    writeFileSync(join(dir, 'hindsight.config.json'), JSON.stringify({ ignoreTemplates: ['^GET /health', 'Polling'] }));
    const cfg = loadConfig(undefined, dir, [fake]);
    expect(cfg.path).toBe(join(dir, 'hindsight.config.json'));
    expect(ignoreMatcher(cfg)!.test('GET /health 200')).toBe(true);
    expect(ignoreMatcher(cfg)!.test('Polling queue')).toBe(true);
    expect(ignoreMatcher(cfg)!.test('POST /orders')).toBe(false);
  });

  it('changes what a real detector reports (thresholds reach runDetectors)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-cfg-'));
    const start = Date.parse('2026-08-01T00:00:00Z');
    const file = join(dir, 'metrics-app.jsonl');
    writeFileSync(file, Array.from({ length: 4 }, (_, i) => railwayLine(start + i * 3_600_000, 'error', 'Export failed: ')).join('\n') + '\n');
    const base = JSON.parse((await runCli(['analyze', file, '--format', 'json'])).stdout);
    const detectors = base.detectors.map((d: { id: string }) => d.id) as string[];
    expect(detectors).toContain('empty-error-message');
    // Raising the lowest level considered to fatal leaves these error records out of the detector's view.
    writeFileSync(join(dir, 'hindsight.config.json'), JSON.stringify({ detectors: { 'empty-error-message': { minLevel: 'fatal' } } }));
    const raised = JSON.parse((await runCli(['analyze', file, '--format', 'json'], { cwd: dir })).stdout);
    const count = (doc: { findings: { detector: string }[] }) => doc.findings.filter((f) => f.detector === 'empty-error-message').length;
    expect(count(base)).toBeGreaterThan(0);
    expect(count(raised)).toBe(0);
  });
});
