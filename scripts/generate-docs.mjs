// Writes docs/detectors.md from the built detectors' metadata (run `npm run build` first).
import { writeFileSync } from 'node:fs';
import { DETECTORS } from '../dist/detectors/registry.js';
import { renderDetectorDocs } from '../dist/report/detector-docs.js';

writeFileSync(new URL('../docs/detectors.md', import.meta.url), renderDetectorDocs(DETECTORS));
console.log(`docs/detectors.md: ${DETECTORS.length} detectors`);
