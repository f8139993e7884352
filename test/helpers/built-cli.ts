// The built CLI (dist/cli.js), for the tests that need a real process (a signal, an exit code):
// `npm run build` runs before `npm test` in .ci/run. A missing or stale build fails the test that
// asks for it, never skips it or tests yesterday's code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The newest modification time of the files under `dir` with this suffix (0 when none). */
function newest(dir: string, suffix: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(suffix)) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

/** The path of dist/cli.js; throws when it is missing or older than a file of src/ (tsc rewrites every output). */
export function builtCli(): string {
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run `npm run build` before this test');
  const src = newest(join(ROOT, 'src'), '.ts');
  if (newest(join(ROOT, 'dist'), '.js') < src) throw new Error('dist/ is older than src/: run `npm run build` before this test');
  return cli;
}
