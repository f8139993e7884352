// Every detector hindsight runs. Adding a detector: write ./<id>.ts, add it here.
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const DETECTORS: readonly Detector<any>[] = [
  connectionResetPerDeploy,
  containerChurn,
  memorySawtooth,
  costBreakdown,
  emptyErrorMessage,
  cadenceDrift,
  errorCluster,
  postgresCrashRecovery,
  slowQueries,
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
];

export function detectorById(id: string): Detector | undefined {
  return DETECTORS.find((d) => d.meta.id === id);
}
