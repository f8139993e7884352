// Records the stack lab into a directory (how test/fixtures/stacks was made):
//   npx vite-node test/e2e/stack-lab/record.ts <dir> [healthy seconds] [redeploys] [seconds between redeploys]
import { recordLab } from './lab.js';

const [dir, healthy, redeploys, every] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: vite-node test/e2e/stack-lab/record.ts <dir> [healthy seconds] [redeploys] [seconds between redeploys]');
  process.exit(2);
}
await recordLab(dir, { healthyMs: Number(healthy ?? 20) * 1000, redeploys: Number(redeploys ?? 4), redeployEveryMs: Number(every ?? 65) * 1000, hungOpenMs: 320_000 });
process.exit(0);
