import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { CONVENTIONS } from '../../src/ingest/log-conventions.js';

describe('hindsight conventions', () => {
  it('lists every convention with how it is recognised and its example; formats --help points at it', async () => {
    const r = await runCli(['conventions']);
    expect(r.code).toBe(0);
    for (const c of CONVENTIONS) expect(r.stdout).toContain(`${c.id}\n  ${c.library}\n  recognised by: ${c.recognisedBy}\n`);
    expect(r.stdout).toContain("example (no level: Railway's label stands): ");
    expect(r.stdout).not.toContain('(null)');
    for (const c of CONVENTIONS) if (c.shutdown !== undefined) expect(r.stdout).toContain(`  announces a clean stop: ${c.shutdown}\n`);
    expect((await runCli(['formats', '--help'])).stdout).toContain('hindsight conventions');
  });
});
