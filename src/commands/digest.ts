// `hindsight digest`: analyze the window, compare with the state of the previous run, write a
// short markdown digest, then update the state (atomically, once the digest is written, under a
// lock on the state file). Meant for a nightly job.
import { Option, type Command } from 'commander';
import { FINDING_SEVERITIES, FINDING_SEVERITY_RANK, type FindingSeverity } from '../model.js';
import { compare, nextState, renderDigest } from '../digest/digest.js';
import { leftOutSentences } from '../report/markdown-text.js';
import { nextPositions, readState, writeState, StateError, type RailwayPositions } from '../digest/state.js';
import type { Position } from '../sources/railway/pull.js';
import { lockState } from '../digest/lock.js';
import { UsageError, writeOutput, type Io } from './io.js';
import { addInputOptions, runAnalysis, type InputOptions } from './pipeline-run.js';

interface DigestOptions extends InputOptions {
  state: string;
  output?: string;
  dryRun?: boolean;
  failOn?: FindingSeverity;
}

export function registerDigest(program: Command, io: Io): void {
  const cmd = program
    .command('digest')
    .description('Nightly digest: what is new, ongoing and resolved since the previous run, kept in a state file.')
    .argument('[inputs...]', 'files, directories, .gz files, - for standard input (the default), or a table: clickhouse://[user[:password]@]host[:port]/database?table=otel_logs (docs/clickhouse.md)')
    .requiredOption('--state <file>', 'required: the state file from the previous run (created with its folder on the first run, replaced atomically)')
    .option('-o, --output <file>', 'write the digest to a file instead of standard output')
    .option('--title <text>', 'title of the digest')
    .option('--dry-run', 'compare with the state but do not update it')
    .addOption(new Option('--fail-on <severity>', 'exit with code 1 when a new finding is this severe or worse').choices([...FINDING_SEVERITIES]));
  addInputOptions(cmd)
    .addHelpText(
      'after',
      `
Examples:
  hindsight digest --railway --project 1f2e... --environment production --since 24h --state .hindsight/state.json
  hindsight digest logs/2026-02-08/ --state state.json -o digest.md
  hindsight digest today.jsonl --state state.json --dry-run      # look without moving the baseline
  hindsight digest logs/ --state state.json --fail-on high       # exit code 1 when something new is high or worse

With --railway the state keeps, per service, the last entry read: each run fetches from exactly
there (--since only for a service it does not know yet), so every line is read once.
A missing state file is a first run. A state file that cannot be read is an error (exit code 2);
move it away to start over. The state is updated only once the digest is written, and one digest
at a time uses it: a second waits up to 10 seconds for the first, then exits with code 2. See docs/nightly.md for a GitHub Actions workflow and a cron line.`,
    )
    .action(async (inputs: string[], opts: DigestOptions) => {
      // Locked before the state is read: a second digest on the same state waits, or gives up.
      const lock = await stateError(() => lockState(opts.state));
      try {
        const prev = await stateError(async () => readState(opts.state));
        const a = await runAnalysis(inputs, opts, io, railwayFrom(prev?.railway, opts));
        const d = compare(prev, a.timeline, a.findings);
        writeOutput(renderDigest(d, opts.title, leftOutSentences(a.run)), opts.output, io);
        // The state moves on only once the digest is out: a digest lost to a full disk would
        // otherwise make the next run call its findings ongoing.
        try {
          await io.flushStdout?.();
        } catch (e) {
          throw new UsageError(`cannot write standard output: ${(e as Error).message}; the digest state was not updated`);
        }
        if (opts.failOn !== undefined) {
          const limit = FINDING_SEVERITY_RANK[opts.failOn];
          if (d.fresh.some((c) => FINDING_SEVERITY_RANK[c.severity] >= limit)) io.exitCode = 1;
        }
        if (!opts.dryRun) {
          const next = nextState(prev, d, a.timeline, a.findings);
          if (a.railway !== undefined) next.railway = nextPositions(prev?.railway, a.railway);
          else if (prev?.railway !== undefined) next.railway = prev.railway;
          await stateError(async () => writeState(opts.state, next));
        }
      } finally {
        lock.release();
      }
    });
}

/**
 * Where each Railway service's fetch starts: after the last entry the previous digest read. A state
 * that follows another project or environment is refused rather than mixed.
 */
function railwayFrom(positions: RailwayPositions | undefined, opts: DigestOptions): Record<string, Position> | undefined {
  if (!opts.railway || positions === undefined) return undefined;
  if (positions.project !== opts.project) throw new UsageError(`the digest state ${opts.state} follows Railway project ${positions.project}, not ${opts.project}: give each project its own --state`);
  const out: Record<string, Position> = {};
  for (const [id, p] of Object.entries(positions.services)) out[id] = { key: p.key, edge: p.edge, until: p.until, late: p.late, deployments: p.deployments };
  return out;
}

/** A state or lock problem is a usage error: one line, exit code 2. */
async function stateError<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof StateError) throw new UsageError(e.message);
    throw e;
  }
}
