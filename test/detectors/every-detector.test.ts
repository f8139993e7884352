// What holds for every registered detector: it has a test file of its own
// (test/detectors/<id>.test.ts), and on every sample and the main real captures it keeps the
// contract DetectorTester checks (no throw, ids unique and prefixed, evidence that resolves, data
// that is JSON, the same findings twice). One read of each input serves every detector.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DETECTORS } from '../../src/detectors/registry.js';
import { readTimeline } from '../../src/pipeline.js';
import { checkedFindings } from '../helpers/detector-tester.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('every detector has a test file of its own', () => {
  for (const d of DETECTORS) {
    it(d.meta.id, () => {
      expect(existsSync(join(ROOT, 'test/detectors', `${d.meta.id}.test.ts`)), `test/detectors/${d.meta.id}.test.ts`).toBe(true);
    });
  }
});

const SAMPLES = readdirSync(join(ROOT, 'samples'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `samples/${e.name}`).sort();
/** Real captures of every kind the detectors read: PostgreSQL's own logs (15.18, killed, TLS drops), hosted PostgreSQL, Railway JSON of real apps under faults. */
const CAPTURES = [
  'test/fixtures/multiline/postgres-15-faults.log',
  'test/fixtures/multiline/postgres-15-events.log',
  'test/fixtures/postgres-15-clients/postgres-15-ssl.log',
  'test/fixtures/postgres-hosted/cloud-sql.jsonl',
  'test/fixtures/lives/postgres-kill9.log',
  'test/fixtures/lives/postgres-container-kill.jsonl',
  'test/fixtures/lives/gunicorn.jsonl',
  'test/fixtures/stacks/node/faults',
  'test/fixtures/stacks/python/faults',
  'test/fixtures/stacks/postgres/faults',
];

describe('every detector keeps the finding contract on the samples and real captures', () => {
  for (const input of [...SAMPLES, ...CAPTURES]) {
    it(input, async () => {
      const { summary } = await readTimeline([join(ROOT, input)]);
      const found = DETECTORS.map((d) => checkedFindings(d.meta.id, summary).length);
      // Not an empty walk: the inputs are read, and the samples are incidents.
      expect(summary.inputs.reduce((n, i) => n + i.lines, 0)).toBeGreaterThan(0);
      if (input.startsWith('samples/')) expect(found.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    });
  }
});
