import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Finding, MetricSample } from '../../src/model.js';
import type { DetectorFinding } from '../../src/detectors/registry.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildTimeline } from '../helpers/timeline.js';
import { scenarioFindings, scenarioRuns, scenarioTimeline, T0, usageFindings } from './fixtures/scenario.js';
import { conclude } from '../../src/conclusions/insights.js';

const GOLDEN = fileURLToPath(new URL('./fixtures/scenario.md', import.meta.url));

function scenarioReport(findings: DetectorFinding[] = scenarioFindings()): string {
  return renderMarkdown({ timeline: scenarioTimeline(), findings, runs: scenarioRuns(), conclusions: conclude(findings, scenarioTimeline(), scenarioRuns()) });
}

describe('markdown report', () => {
  it('matches the checked-in report of the hand-made scenario byte for byte', () => {
    const md = scenarioReport();
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, md);
    expect(md).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('is deterministic: the same input gives the same bytes', () => {
    expect(scenarioReport()).toBe(scenarioReport());
  });

  it('has the sections of the review, in order', () => {
    const md = scenarioReport();
    const headings = md.split('\n').filter((l) => /^##? /.test(l));
    expect(headings).toEqual([
      '# Post-mortem: ledger-api and postgres, 2026-03-02 00:00 UTC to 2026-03-03 00:00 UTC',
      '## Summary',
      '## 1. Log Analysis',
      '## 2. Observability Dashboard Analysis',
      '## 3. Architecture Gaps',
      "## 4. What's Working Well",
      '## Appendix: Inputs',
    ]);
    expect(md).toMatch(/^> hindsight \S+ · 1 input \(`test\.log`\) · 76 lines read/m);
  });

  it('numbers one subsection per log finding, with the narrative fields in the review order', () => {
    const md = scenarioReport();
    expect(md.match(/^### 1\.\d+ .*/gm)).toEqual([
      '### 1.1 Empty Sync Errors (every ~60 minutes)',
      '### 1.2 Database Session Outage (14:05 cluster)',
      '### 1.3 Connection Drops on Every Deploy',
      '### 1.4 Sync errors drift 1.5 min per hour beside an exact hourly cadence',
    ]);
    const cluster = md.slice(md.indexOf('### 1.2'), md.indexOf('### 1.3'));
    const order = ['```', '**Timeline**', '**Pattern:**', '**Root cause:**', '**Timing analysis:**', '**Impact:**', '**Affected:**', '**Recommendation:**'].map((k) => cluster.indexOf(k));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(cluster).toContain('2026-03-02T14:05:20  [err] DB session error:');
    expect(cluster).toContain('- endpoints: `GET /invoices`, `GET /`, `GET /reports|2`');
  });

  it('puts memory and cost findings in the dashboard section, with a chart, a sparkline and a bold total row', () => {
    const md = scenarioReport();
    const dash = md.slice(md.indexOf('## 2.'), md.indexOf('## 3.'));
    expect(dash).toContain('### 2.1 Memory (dominant cost)');
    expect(dash).toContain('**Cost:** $0.24 of $0.25 total (95% of all costs)');
    expect(dash).toContain('- **Pattern:** Sawtooth, between 90 and 200 MB, 8 cycles');
    expect(dash).toMatch(/```mermaid\nxychart-beta\n {4}title "ledger-api memory \(MB\), mean per [^"]+"\n {4}x-axis "hours since 2026-03-02 00:00 UTC" 0 --> 24\n {4}y-axis "MB" \d+ --> \d+\n {4}line \[[\d., ]+\]\n```/);
    expect(dash).toMatch(/- \*\*Over time:\*\* `[▁▂▃▄▅▆▇█]{40,}`/);
    expect(dash).toContain('| **Total** | **$0.25** | **~$1.77** | |');
    expect(dash).toContain('### 2.4 PostgreSQL');
    expect(dash).toContain('| Client connections lost (resets) | 9 |');
  });

  it('cites the findings behind each architecture gap and healthy signal', () => {
    const md = scenarioReport();
    expect(md).toContain('### 3.1 No graceful shutdown');
    expect(md).toContain('*Rests on §1.3 (Connection Drops on Every Deploy).*');
    expect(md).toContain('*Rests on §1.2 (Database Session Outage (14:05 cluster)).*');
    expect(md).toContain('### 3.3 Error logging loses the exception');
    expect(md).toContain('*Rests on §2.1 (Memory sawtooth (ledger-api)).*');
    expect(md).toContain('- **Recovered automatically within 25 s** — The error burst at 14:05:20 UTC ended without a restart or a deploy. (§1.2)');
    expect(md).toContain('- **A scheduled job keeps an exact cadence** — `Sync run complete: <*> accounts` every 60 min: their scheduler keeps time, with no drift across the window. (§1.4)');
    expect(md).toContain('- **No FATAL or PANIC records from PostgreSQL**');
  });

  it('lists detectors that found nothing and detectors that failed', () => {
    const md = scenarioReport();
    expect(md).toContain('- Ran and found nothing: `container-churn` (Container churn).');
    expect(md).toContain('- **Failed:** `slow-queries`: boom: cannot read x. Its findings are missing from this report.');
  });

  it("puts the inputs' warnings under the summary, three at most, so that a cut input is said first", () => {
    const t = scenarioTimeline();
    t.inputs[0]!.warnings = ['reading stopped by a signal after 76 lines; the report covers what was read', 'w2', 'w3', 'w4'];
    const md = renderMarkdown({ timeline: t, findings: scenarioFindings(), runs: scenarioRuns(), conclusions: conclude(scenarioFindings(), t, scenarioRuns()) });
    const summary = md.slice(md.indexOf('## Summary'), md.indexOf('## 1. Log Analysis'));
    expect(summary).toContain(`> **Input \`${t.inputs[0]!.path}\`:** reading stopped by a signal after 76 lines; the report covers what was read`);
    expect(summary).toContain('w3');
    expect(summary).not.toContain('w4');
    expect(summary).toContain('> 1 more warning in the appendix.');
    expect(scenarioReport()).not.toContain('> **Input');
  });

  it("draws each series' shape and each measurement's verdict as the analysis gives them", () => {
    const series = (service: string, measurement: MetricSample['measurement'], unit: string, values: number[]): MetricSample[] =>
      values.map((value, i) => ({ service, measurement, unit, ts: T0 + i * 60_000, value }));
    const t = buildTimeline([{ at: T0, message: 'hello', service: 'web' }], [
      ...series('web', 'cpu', 'vCPU', [0.2, 0.2, 0.2, 0.2]),
      ...series('db', 'disk', 'MB', [100, 110, 130, 150]),
      ...series('web', 'network_tx', 'MB', [10, 10, 9, 9, 8, 8, 7, 7]),
    ]);
    const findings = usageFindings(t);
    const md = renderMarkdown({ timeline: t, findings, runs: [], conclusions: conclude(findings, t, []) });
    expect(md).toContain('- **Shape:** flat at 0.2 vCPU');
    expect(md).toContain('**Assessment:** CPU peaked at 0.2 vCPU.');
    expect(md).toContain('- **Shape:** rising: the last quarter of the window averages 150 MB against 100 MB in the first');
    expect(md).toContain('**Assessment:** The volume grew by more than 20% over the window: check retention jobs.');
    expect(md).toContain('- **Shape:** falling: the last quarter of the window averages 7 MB against 10 MB in the first');
  });

  it('does without findings, metrics and detectors', () => {
    const t = buildTimeline([{ at: T0, message: 'hello', service: 'web' }, { at: T0 + 60_000, message: 'bye', service: 'web' }]);
    const md = renderMarkdown({ timeline: t, findings: [], runs: [], conclusions: conclude([], t, []) });
    expect(md).toContain('No detectors ran, so there are no log findings.');
    expect(md).toContain('No metric samples among the inputs.');
    expect(md).toContain('Nothing in the findings points at a gap in the architecture.');
    expect(md).toContain('The detectors found nothing worth a ticket.');
    expect(md.endsWith('\n')).toBe(true);
    expect(md).not.toMatch(/\n\n\n/);
  });

  it('keeps hostile log content from breaking the markdown', () => {
    const hostile: Finding = {
      detector: 'error-cluster',
      id: 'hostile',
      severity: 'critical',
      title: 'Errors with <img src=x onerror=alert(1)> and `ticks`',
      summary: '# not a heading\n- not a list | with a pipe',
      pattern: '**not bold** [not a link](http://x)',
      rootCause: '<script>alert(1)</script>',
      impact: 'a ~~strike~~ attempt',
      recommendation: 'fine',
      evidence: [
        { timestamp: '2026-03-02T01:00:00.000Z', service: 'web', location: 'x.log:1', text: 'payload ```` four ticks ``` and ``` closing' },
        { timestamp: null, service: 'web', location: 'x.log:2', text: 'line\nwith newline' },
      ],
      data: { start: '2026-03-02T01:00:00Z', durationSeconds: 10, count: 2, templates: [{ template: 'a | b `c`', count: 2 }], endpoints: [{ endpoint: 'GET /a|b', count: 2 }] },
    };
    const md = scenarioReport([hostile as DetectorFinding]); // off the contract on purpose: escaping holds for any data
    expect(md).toContain('### 1.1 Errors with &lt;img src=x onerror=alert(1)&gt; and `ticks`');
    expect(md).not.toMatch(/<script>|<img/);
    expect(md).toContain('\\# not a heading\n\\- not a list \\| with a pipe');
    expect(md).toContain('\\*\\*not bold\\*\\* \\[not a link\\](http://x)');
    expect(md).toContain('a \\~\\~strike\\~\\~ attempt');
    // The evidence fence is longer than any backtick run inside it, so it closes where it should.
    expect(md).toContain('`````\n2026-03-02T01:00:00  payload ```` four ticks ``` and ``` closing\nline ⏎ with newline\n`````');
    expect(md).toContain('- template `` a | b `c` `` (2×)');
    expect(md).toContain('(at 2026-03-02 01:00 UTC, over 10 s, failing GET /a\\|b, §1.1)');
  });

  it('keeps hostile service names out of the markup of charts and headings', () => {
    const svc = 'web|<b>"x"`;#';
    const metrics = Array.from({ length: 10 }, (_, i) => ({ service: svc, measurement: 'memory', unit: 'MB', ts: T0 + i * 60_000, value: 100 + i }));
    const t = buildTimeline([{ at: T0, message: 'hello', service: svc }], metrics);
    const findings = usageFindings(t);
    const md = renderMarkdown({ timeline: t, findings, runs: [], conclusions: conclude(findings, t, []) });
    expect(md).toContain('**web\\|&lt;b&gt;"x"\\`;#** (10 samples)');
    expect(md).toMatch(/title "web\|\s*b\s*x\s*memory \(MB\), mean per [^"]+"/);
    expect(md).not.toContain('<b>');
  });

  it('never lets a secret through, wherever a detector put it', () => {
    const leaky: Finding = {
      ...scenarioFindings()[0]!,
      title: 'Leak postgres://u:Sup3rS3cret@db/x',
      summary: 'password=hunter22',
      pattern: 'Authorization: Bearer abcdef123456789',
      evidence: [{ timestamp: null, service: 'web', location: 'x.log:1', text: 'token=abc123secret' }],
      data: { template: 'login api_key=AKIAIOSFODNN7EXAMPLE', endpoints: ['GET /x?token=zzz999yyy'] },
    };
    const md = scenarioReport([leaky as DetectorFinding]); // off the contract on purpose: redaction holds wherever a field is
    for (const secret of ['Sup3rS3cret', 'hunter22', 'abcdef123456789', 'abc123secret', 'AKIAIOSFODNN7EXAMPLE', 'zzz999yyy']) expect(md).not.toContain(secret);
    expect(md).toContain('[REDACTED]');
  });
});
