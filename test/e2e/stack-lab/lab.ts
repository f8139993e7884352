// Records every run of the stack lab into one directory, one sub-directory a run, one file a service
// (as a user saves `railway logs --json` per service), with the facts the fault scripts counted.
// Three chains run side by side (each run has its own servers): the short runs one after the other,
// and the two long ones, which mostly wait (the redeploys, and the Python faults with their hung task).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Injected } from '../faults.js';
import {
  nodeFaults, nodeHealthy, nodeRedeploys, postgresFaults, pythonFaults, pythonHealthy,
  type NodeFaultFacts, type NodeRedeployFacts, type PythonFaultFacts,
} from './scenarios.js';

export interface LabFacts {
  node: { faults: NodeFaultFacts; redeploys: NodeRedeployFacts; healthy: { requests: number; failed: number } };
  python: { faults: PythonFaultFacts; healthy: { requests: number; failed: number } };
  postgres: { faults: Injected };
}

/** The run directories under a lab record, by stack and run. */
export const RUNS = ['node/faults', 'node/redeploys', 'node/healthy', 'python/faults', 'python/healthy', 'postgres/faults'] as const;
export type RunName = (typeof RUNS)[number];

export interface LabOptions {
  /** How long each healthy run serves ordinary traffic. */
  healthyMs: number;
  /** Redeploys of the redeploy run, and the time between them. */
  redeploys: number;
  redeployEveryMs: number;
  /** How long the Python run's hung task stays open before the capture ends. */
  hungOpenMs: number;
}

async function run<T>(root: string, name: RunName, scenario: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const facts = await scenario(dir);
  writeFileSync(join(dir, 'facts.json'), JSON.stringify({ ...facts, seconds: Math.round((Date.now() - started) / 1000) }, null, 2) + '\n');
  return facts;
}

/** Runs the lab into `root`. */
export async function recordLab(root: string, o: LabOptions): Promise<LabFacts> {
  const short = (async () => {
    const pg = await run(root, 'postgres/faults', postgresFaults);
    const nodeF = await run(root, 'node/faults', nodeFaults);
    const nodeH = await run(root, 'node/healthy', (d) => nodeHealthy(d, o.healthyMs));
    const pythonH = await run(root, 'python/healthy', (d) => pythonHealthy(d, o.healthyMs));
    return { pg, nodeF, nodeH, pythonH };
  })();
  const redeploys = run(root, 'node/redeploys', (d) => nodeRedeploys(d, o.redeploys, o.redeployEveryMs));
  const pythonF = run(root, 'python/faults', (d) => pythonFaults(d, o.hungOpenMs));
  const [s, r, p] = await Promise.all([short, redeploys, pythonF]);
  return {
    node: { faults: s.nodeF, redeploys: r, healthy: s.nodeH },
    python: { faults: p, healthy: s.pythonH },
    postgres: { faults: s.pg },
  };
}
