// Records every run of the stack lab into one directory, one sub-directory a run, one file a service
// (as a user saves `railway logs --json` per service), with the facts the fault scripts counted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Injected } from '../faults.js';
import { nodeFaults, nodeHealthy, postgresFaults, pythonFaults, pythonHealthy, type NodeFaultFacts, type PythonFaultFacts } from './scenarios.js';

export interface LabFacts {
  node: { faults: NodeFaultFacts; healthy: { requests: number; failed: number } };
  python: { faults: PythonFaultFacts; healthy: { requests: number; failed: number } };
  postgres: { faults: Injected };
}

/** The run directories under a lab record, by stack and run. */
export const RUNS = ['node/faults', 'node/healthy', 'python/faults', 'python/healthy', 'postgres/faults'] as const;

async function run<T>(root: string, name: (typeof RUNS)[number], scenario: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const facts = await scenario(dir);
  writeFileSync(join(dir, 'facts.json'), JSON.stringify({ ...facts, seconds: Math.round((Date.now() - started) / 1000) }, null, 2) + '\n');
  return facts;
}

/** Runs the lab: the healthy runs last `healthyMs` of ordinary traffic each. */
export async function recordLab(root: string, healthyMs: number): Promise<LabFacts> {
  const postgres = { faults: await run(root, 'postgres/faults', postgresFaults) };
  const node = {
    faults: await run(root, 'node/faults', nodeFaults),
    healthy: await run(root, 'node/healthy', (d) => nodeHealthy(d, healthyMs)),
  };
  const python = {
    faults: await run(root, 'python/faults', pythonFaults),
    healthy: await run(root, 'python/healthy', (d) => pythonHealthy(d, healthyMs)),
  };
  return { node, python, postgres };
}
