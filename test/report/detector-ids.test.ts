// The reports name no detector: what they need to know of one they read from its meta.report (as
// Lighthouse's renderer draws any audit from the report JSON), so adding or renaming a detector never
// touches src/report/. This reads the renderers' sources for a registered detector id in quotes.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DETECTORS } from '../../src/detectors/registry.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('the reports', () => {
  it('name no detector id: src/report/ holds none of them as a string', () => {
    const files = sources('src/report');
    expect(files.length).toBeGreaterThan(5);
    const named: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const d of DETECTORS) {
        for (const q of ["'", '"', '`']) if (text.includes(`${q}${d.meta.id}${q}`) || text.includes(`${q}${d.meta.id}:`)) named.push(`${file}: ${d.meta.id}`);
      }
    }
    expect(named).toEqual([]);
  });

  it('find every dashboard detector and every Summary label through meta.report', () => {
    const dashboard = DETECTORS.filter((d) => d.meta.report?.dashboard !== undefined).map((d) => d.meta.id);
    expect(dashboard.sort()).toEqual(['cost-breakdown', 'memory-sawtooth', 'resource-usage']);
    expect(DETECTORS.filter((d) => d.meta.report?.summaryLabel !== undefined).length).toBeGreaterThanOrEqual(19);
  });
});
