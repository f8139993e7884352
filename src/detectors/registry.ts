// Every detector hindsight runs. Adding a detector: write ./<id>.ts, add it here.
import type { Finding } from '../model.js';
import type { Detector } from './detector.js';
import { connectionResetPerDeploy } from './connection-reset-per-deploy.js';
import { containerChurn } from './container-churn.js';
import { memorySawtooth } from './memory-sawtooth.js';
import { costBreakdown } from './cost-breakdown.js';
import { emptyErrorMessage } from './empty-error-message.js';
import { cadenceDrift } from './cadence-drift.js';
import { errorCluster } from './error-cluster.js';
import { postgresCrashRecovery } from './postgres-crash-recovery.js';
import { slowQueries } from './slow-queries.js';
import { slowRequests } from './slow-requests.js';
import { lockContention } from './lock-contention.js';
import { timeouts } from './timeouts.js';
import { connectionExhaustion } from './connection-exhaustion.js';
import { restartLoop } from './restart-loop.js';
import { unfinishedWork } from './unfinished-work.js';
import { ungracefulShutdown } from './ungraceful-shutdown.js';
import { missingRelation } from './missing-relation.js';
import { sslEof } from './ssl-eof.js';
import { logLoss } from './log-loss.js';
import { knownJobs } from './known-jobs.js';
import { outOfMemory } from './out-of-memory.js';
import { processExits } from './process-exits.js';
import { brokerOutage } from './broker-outage.js';
import { databaseOutage } from './database-outage.js';
import { resourceUsage } from './resource-usage.js';
import { workerSaturation } from './worker-saturation.js';

const REGISTERED = [
  connectionResetPerDeploy,
  containerChurn,
  memorySawtooth,
  costBreakdown,
  emptyErrorMessage,
  cadenceDrift,
  errorCluster,
  postgresCrashRecovery,
  slowQueries,
  slowRequests,
  lockContention,
  timeouts,
  connectionExhaustion,
  restartLoop,
  unfinishedWork,
  ungracefulShutdown,
  missingRelation,
  sslEof,
  logLoss,
  knownJobs,
  outOfMemory,
  processExits,
  brokerOutage,
  databaseOutage,
  resourceUsage,
  workerSaturation,
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const DETECTORS: readonly Detector<any, any>[] = REGISTERED;

/** Every detector's `data` type by detector id, read off the registry: the typed finding contract. */
export type DetectorData = {
  [D in (typeof REGISTERED)[number] as D['meta']['id']]: ReturnType<D['detect']>[number]['data'];
};

export type DetectorId = keyof DetectorData;

// The build fails here when a detector's data type could not be read off it (it came out unknown):
// give its detect() its return type, DetectedFinding<ItsData>[].
type UnreadData = { [K in DetectorId]: unknown extends DetectorData[K] ? K : never }[DetectorId];
true satisfies [UnreadData] extends [never] ? true : UnreadData;

/**
 * A finding of a registered detector, its `data` typed by its `detector`: narrowing on `detector`
 * narrows `data`. `DetectorFinding<'error-cluster'>` is one detector's.
 */
export type DetectorFinding<K extends DetectorId = DetectorId> = { [I in K]: Finding<DetectorData[I]> & { detector: I } }[K];

export function detectorById(id: string): Detector | undefined {
  return DETECTORS.find((d) => d.meta.id === id);
}
