import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import { buildJsonReport } from '../../src/report/json.js';
import { runCli } from '../cli/run-cli.js';
import { railwayDay } from '../cli/railway-lines.js';
import { scenarioFindings, scenarioRuns, scenarioTimeline } from './fixtures/scenario.js';
import { conclude } from '../../src/conclusions/insights.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const schema = JSON.parse(readFileSync(join(ROOT, 'docs/hindsight.schema.json'), 'utf8'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ajv = new (Ajv2020 as any)({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

function expectValid(doc: unknown): void {
  const ok = validate(doc);
  if (!ok) throw new Error(ajv.errorsText(validate.errors, { separator: '\n' }));
}

describe('JSON output', () => {
  it('validates against docs/hindsight.schema.json for a generated Railway day, through the CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-json-'));
    const file = join(dir, 'api.jsonl');
    const start = Date.parse('2026-04-10T00:00:00Z');
    writeFileSync(
      file,
      railwayDay({ start, service: 'api', job: { message: 'Nightly export finished', periodMin: 30 }, emptyErrors: { prefix: 'Worker crashed', everyMin: 45 }, burst: { atMin: 600, count: 12, path: '/checkout' }, secretLine: 'connecting to postgres://api:Pa55w0rd99@db:5432/app' })
        .concat(['not json at all'])
        .join('\n') + '\n',
    );
    const r = await runCli(['analyze', file, '--format', 'json', '--title', 'Checkout outage']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expectValid(doc);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.title).toBe('Checkout outage');
    expect(doc.inputs[0].lines).toBe(doc.inputs[0].events + doc.inputs[0].skipped);
    expect(doc.inputs[0].skipped).toBe(1);
    expect(r.stdout).not.toContain('Pa55w0rd99');
  });

  it.runIf(existsSync(join(ROOT, 'samples/whendoist')))('validates for samples/whendoist', async () => {
    const r = await runCli(['analyze', join(ROOT, 'samples/whendoist'), '--format', 'json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expectValid(doc);
    expect(doc.findings.length).toBeGreaterThan(0);
    // Sections 3 and 4 of the markdown are the JSON's conclusions, drawn: a JSON user reads the same.
    const md = (await runCli(['analyze', join(ROOT, 'samples/whendoist')])).stdout;
    const { architectureGaps: gaps, workingWell: good } = doc.conclusions as Record<string, { title: string; text: string; cites: string[]; about?: string }[]>;
    expect(gaps!.length).toBeGreaterThan(0);
    gaps!.forEach((g, i) => expect(md).toContain(`### 3.${i + 1} ${g.title}\n`));
    for (const g of good!) expect(md).toContain(`- **${g.title}** — `);
    const ids = new Set((doc.findings as { id: string }[]).map((f) => f.id));
    for (const g of [...gaps!, ...good!]) for (const id of g.cites) expect(ids).toContain(id);
    expect(good!.filter((g) => g.about === 'run').map((g) => g.title)).toEqual(['Every line was read', 'Nothing found by 18 detectors']);
  });

  it('validates for hand-made findings, and redacts every string in them', () => {
    const findings = scenarioFindings();
    findings[0]!.rootCause = 'logged with password=hunter22 in the URL';
    (findings[0]!.data as Record<string, unknown>).example = { nested: ['Authorization: Bearer abcdef0123456789'] };
    const doc = buildJsonReport({ timeline: scenarioTimeline(), findings, runs: scenarioRuns(), conclusions: conclude(findings, scenarioTimeline(), scenarioRuns()), run: { since: Date.parse('2026-03-02T00:00:00Z'), outsideWindow: 3 } });
    expectValid(doc);
    const text = JSON.stringify(doc);
    expect(text).not.toContain('hunter22');
    expect(text).not.toContain('abcdef0123456789');
    expect((doc.filter as Record<string, unknown>).since).toBe('2026-03-02T00:00:00.000Z');
    // Input findings are not mutated by redaction.
    expect(findings[0]!.rootCause).toContain('hunter22');
  });

  it('rejects documents that break the contract (the schema is not vacuous)', () => {
    const doc = buildJsonReport({ timeline: scenarioTimeline(), findings: scenarioFindings(), runs: scenarioRuns(), conclusions: conclude(scenarioFindings(), scenarioTimeline(), scenarioRuns()) });
    const bad = JSON.parse(JSON.stringify(doc));
    bad.findings[0].severity = 'urgent';
    expect(validate(bad)).toBe(false);
    const missing = JSON.parse(JSON.stringify(doc));
    delete missing.inputs[0].skipped;
    expect(validate(missing)).toBe(false);
  });
});
