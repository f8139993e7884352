// Records every run of the stack lab into one directory, one sub-directory a run, one file a service
// (as a user saves `railway logs --json` per service), with the facts the fault scripts counted.
// Three chains run side by side (each run has its own servers): the fault runs one after the other,
// the redeploys (mostly waiting), and the healthy runs.
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
  const faults = (async () => {
    const pg = await run(root, 'postgres/faults', postgresFaults);
    const node = await run(root, 'node/faults', nodeFaults);
    const python = await run(root, 'python/faults', pythonFaults);
    return { pg, node, python };
  })();
  const redeploys = run(root, 'node/redeploys', (d) => nodeRedeploys(d, o.redeploys, o.redeployEveryMs));
  const healthy = (async () => {
    const node = await run(root, 'node/healthy', (d) => nodeHealthy(d, o.healthyMs));
    const python = await run(root, 'python/healthy', (d) => pythonHealthy(d, o.healthyMs));
    return { node, python };
  })();
  const [f, r, h] = await Promise.all([faults, redeploys, healthy]);
  return {
    node: { faults: f.node, redeploys: r, healthy: h.node },
    python: { faults: f.python, healthy: h.python },
    postgres: { faults: f.pg },
  };
}
