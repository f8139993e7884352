import { describe, expect, it } from 'vitest';
import { renderText } from '../../src/report/text.js';
import { scenarioFindings, scenarioRuns, scenarioTimeline } from './fixtures/scenario.js';
import { conclude } from '../../src/conclusions/insights.js';

describe('terminal summary', () => {
  const input = () => {
    const [timeline, findings, runs] = [scenarioTimeline(), scenarioFindings(), scenarioRuns()];
    return { timeline, findings, runs, conclusions: conclude(findings, timeline, runs) };
  };

  it('lists one row per problem, counts informational findings, and names gaps, healthy signals and failed detectors', () => {
    const text = renderText(input(), { color: false, width: 120 });
    const rows = text.split('\n').filter((l) => /^│ (critical|high|medium|low|info) /.test(l));
    expect(rows.map((r) => r.split('│')[1]!.trim())).toEqual(['high', 'high', 'medium', 'low', 'medium']);
    expect(text).toContain('│ high     │ Empty Sync Errors (every ~60 minutes)');
    // The scenario's cadence note and the resource-usage baseline.
    expect(text).toContain('+ 2 informational findings');
    expect(text).toContain('  • No graceful shutdown');
    expect(text).toContain('  ✓ Recovered automatically within 25 s');
    // Strengths about how the run read its inputs stay in the longer reports.
    expect(input().conclusions.workingWell.some((g) => g.about === 'run')).toBe(true);
    for (const g of input().conclusions.workingWell) expect(text.includes(`✓ ${g.title}`)).toBe(g.about === 'system');
    expect(text).toContain('detector slow-queries failed: boom: cannot read x');
    expect(text).toMatch(/76 lines from 1 input, 76 records, 35 errors/);
    expect(text).not.toContain('\u001b[');
  });

  it('colors severities only when asked, and redacts', () => {
    const i = input();
    i.findings[0]!.title = 'Leak of password=hunter22';
    const text = renderText(i, { color: true });
    expect(text).toContain('\u001b[31mhigh\u001b[39m');
    expect(text).not.toContain('hunter22');
  });
});
