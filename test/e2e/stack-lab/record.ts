// Records the stack lab into a directory (how test/fixtures/stacks was made):
//   npx vite-node test/e2e/stack-lab/record.ts <dir> [healthy seconds]
import { recordLab } from './lab.js';

const [dir, seconds] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: vite-node test/e2e/stack-lab/record.ts <dir> [healthy seconds]');
  process.exit(2);
}
await recordLab(dir, Number(seconds ?? 20) * 1000);
process.exit(0);
