import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { DETECTORS } from '../../src/detectors/registry.js';
import { renderDetectorDocs } from '../../src/report/detector-docs.js';

describe('docs/detectors.md', () => {
  it('is the rendering of the detectors\' metadata (run `npm run docs` after changing a detector)', () => {
    const onDisk = readFileSync(new URL('../../docs/detectors.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(renderDetectorDocs(DETECTORS));
  });

  it('documents every threshold of every detector', () => {
    for (const d of DETECTORS) {
      expect(d.meta.explanation.length, d.meta.id).toBeGreaterThan(40);
      for (const k of Object.keys(d.meta.defaults)) {
        expect((d.meta.optionDocs as Record<string, string> | undefined)?.[k], `${d.meta.id}.${k}`).toBeTruthy();
      }
    }
  });
});
