// Every detector hindsight runs. Adding a detector: write ./<id>.ts, add it here.
import type { Detector } from './detector.js';
import { connectionResetPerDeploy } from './connection-reset-per-deploy.js';
import { containerChurn } from './container-churn.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const DETECTORS: readonly Detector<any>[] = [
  connectionResetPerDeploy,
  containerChurn,
];

export function detectorById(id: string): Detector | undefined {
  return DETECTORS.find((d) => d.meta.id === id);
}
