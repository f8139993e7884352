// docs/example-report.md is hindsight's report of samples/whendoist, checked in so that people can
// read it beside the review it reproduces. This test regenerates it through the whole pipeline
// (in-process, the same code as `hindsight analyze samples/whendoist`) and compares the bytes.
// After an intended change to the report or the detectors:
//   UPDATE_GOLDEN=1 npx vitest run test/report/example-report.test.ts
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli } from '../cli/run-cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../../docs/example-report.md', import.meta.url));

describe.runIf(existsSync(fileURLToPath(new URL('../../samples/whendoist', import.meta.url))))('docs/example-report.md', () => {
  it('is the report of samples/whendoist, byte for byte', async () => {
    // Relative input paths, as a reader would type them, so the report shows them the same way.
    const cwd = process.cwd();
    process.chdir(ROOT);
    let r;
    try {
      r = await runCli(['analyze', 'samples/whendoist'], { cwd: ROOT });
    } finally {
      process.chdir(cwd);
    }
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, r.stdout);
    expect(r.stdout).toBe(readFileSync(GOLDEN, 'utf8'));
  });
});
