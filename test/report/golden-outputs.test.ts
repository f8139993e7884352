// Every output of every sample, checked in (test/report/golden/): the guard of refactors that must
// not change what hindsight writes. Markdown and the terminal text must stay byte for byte; the JSON
// may gain fields, but every field it had keeps its value (a report may only add what it decides).
// The markdown of samples/whendoist is docs/example-report.md itself.
// After an intended change to an output:
//   UPDATE_GOLDEN=1 npx vitest run test/report/golden-outputs.test.ts
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { runAnalysis } from '../../src/commands/pipeline-run.js';
import type { Io } from '../../src/commands/io.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GOLDEN = join(ROOT, 'test/report/golden');
const SAMPLES = existsSync(join(ROOT, 'samples'))
  ? readdirSync(join(ROOT, 'samples'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
  : [];
const FORMATS = [
  { format: 'markdown', ext: 'md' },
  { format: 'text', ext: 'txt' },
  { format: 'json', ext: 'json' },
] as const;

/**
 * What `analyze samples/<name> --format <format>` writes from the repository root (relative paths,
 * as a reader would type them): the command's own steps, with one analysis for the three formats
 * (the suite's time budget); the CLI's wiring is tested in test/cli.
 */
async function outputsOf(sample: string): Promise<Record<(typeof FORMATS)[number]['format'], string>> {
  const cwd = process.cwd();
  process.chdir(ROOT);
  let stderr = '';
  const io: Io = { stdout: () => {}, stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY: false, stdinIsTTY: false, env: {}, stdin: Readable.from([]), cwd: ROOT };
  try {
    const a = await runAnalysis([`samples/${sample}`], {}, io);
    expect(stderr).toBe('');
    const report = { timeline: a.timeline, findings: a.findings, runs: a.runs, conclusions: a.conclusions, run: a.run };
    return { markdown: renderMarkdown(report), text: renderText(report, { color: false }), json: renderJson(report) };
  } finally {
    process.chdir(cwd);
  }
}

/** Whether `now` holds every field of `was` with the same value (arrays element by element, same length). */
function keeps(was: unknown, now: unknown, path = '$'): string[] {
  if (Array.isArray(was)) {
    if (!Array.isArray(now)) return [`${path}: was an array`];
    if (was.length !== now.length) return [`${path}: ${was.length} items, now ${now.length}`];
    return was.flatMap((x, i) => keeps(x, now[i], `${path}[${i}]`));
  }
  if (typeof was === 'object' && was !== null) {
    if (typeof now !== 'object' || now === null || Array.isArray(now)) return [`${path}: was an object`];
    return Object.entries(was).flatMap(([k, v]) => (k in now ? keeps(v, (now as Record<string, unknown>)[k], `${path}.${k}`) : [`${path}.${k}: missing`]));
  }
  return Object.is(was, now) ? [] : [`${path}: ${JSON.stringify(was)} is now ${JSON.stringify(now)}`];
}

describe.each(SAMPLES)('samples/%s', (sample) => {
  let outputs: Awaited<ReturnType<typeof outputsOf>> | undefined;
  it.each(FORMATS)('--format $format is the checked-in output', async ({ format, ext }) => {
    outputs ??= await outputsOf(sample);
    const out = outputs[format];
    // The markdown of samples/whendoist is docs/example-report.md (example-report.test.ts also runs it through the CLI).
    const file = sample === 'whendoist' && ext === 'md' ? join(ROOT, 'docs/example-report.md') : join(GOLDEN, `${sample}.${ext}`);
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, out);
    }
    const golden = readFileSync(file, 'utf8');
    if (format === 'json') expect(keeps(JSON.parse(golden), JSON.parse(out))).toEqual([]);
    else expect(out).toBe(golden);
  });
});

describe('the JSON comparison', () => {
  it('accepts added fields and refuses changed, missing or reordered ones', () => {
    expect(keeps({ a: 1, b: [1, { c: 'x' }] }, { a: 1, b: [1, { c: 'x', d: 2 }], e: 3 })).toEqual([]);
    expect(keeps({ a: 1 }, { a: 2 })).toEqual(['$.a: 1 is now 2']);
    expect(keeps({ a: { b: 1 } }, { a: {} })).toEqual(['$.a.b: missing']);
    expect(keeps({ a: [1, 2] }, { a: [2, 1] })).toEqual(['$.a[0]: 1 is now 2', '$.a[1]: 2 is now 1']);
    expect(keeps({ a: [1] }, { a: [1, 2] })).toEqual(['$.a: 1 items, now 2']);
  });
});
