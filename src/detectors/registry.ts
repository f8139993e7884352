// Every detector hindsight runs. Adding a detector: write ./<id>.ts, add it here.
import type { Detector } from './detector.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const DETECTORS: readonly Detector<any>[] = [];

export function detectorById(id: string): Detector | undefined {
  return DETECTORS.find((d) => d.meta.id === id);
}
