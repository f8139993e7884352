// `hindsight pull railway`: a window of a Railway environment into a directory that `hindsight
// analyze DIR` reads as it is (src/sources/railway/pull.ts says what goes in it).
import type { Command } from 'commander';
import { pullSummary } from '../sources/railway/pull.js';
import { interruptible, UsageError, type Io } from './io.js';
import { addRailwayOptions, fetchRailway, pullWarnings, type RailwayOptions } from './railway-source.js';

interface PullOptions extends RailwayOptions {
  output?: string;
}

export function registerPull(program: Command, io: Io): void {
  const pull = program.command('pull').description('Fetch logs, deployments and metrics from a platform into a directory for hindsight analyze.');
  const railway = pull
    .command('railway')
    .description("Fetch a window of a Railway environment through Railway's API: every service, every deployment, every line, with its level and tags.");
  addRailwayOptions(railway, { serviceOption: true })
    .option('--since <time>', 'start of the window: 30s, 5m, 2h, 1d, 1w before now, or ISO 8601')
    .option('--until <time>', 'end of the window (same forms; default: now)')
    .option('-o, --output <dir>', 'directory to write into (created when missing)')
    .option('--no-progress', 'no progress line on standard error')
    .addHelpText(
      'after',
      `
Writes <service>.jsonl (railway logs --json lines plus severity, service, deploymentId and
deploymentInstanceId), <service>.http.jsonl for a service with a domain, deployments.json,
metrics.json and pull.json (the window, lines, requests, warnings, what is missing and why).

Token: RAILWAY_TOKEN (a project token) or RAILWAY_API_TOKEN (an account or team token), as for
Railway's CLI; the endpoint is HINDSIGHT_RAILWAY_URL when set. Ctrl-C keeps what was fetched;
the same command run again resumes. See docs/railway.md.

Examples:
  RAILWAY_TOKEN=... hindsight pull railway --project 1f2e... --environment production --since 24h -o logs/
  hindsight pull railway --project 1f2e... --environment production --service api --since 2026-02-07T18:00Z --until 2026-02-07T21:00Z -o incident/
  hindsight analyze logs/

Exit codes: 0 done, 2 usage error, refused token, unknown project, environment or service, or Railway unreachable; 130 interrupted (what was fetched is kept).`,
    )
    .action(async (opts: PullOptions) => {
      if (!opts.output) throw new UsageError('-o DIR is required: the directory to write the logs into');
      const sig = interruptible();
      try {
        const record = await fetchRailway(opts, io, opts.output, sig.signal);
        for (const w of pullWarnings(record)) io.stderr(`hindsight: ${w}\n`);
        io.stderr(`hindsight: ${pullSummary(record, opts.output)}\n`);
        if (!record.complete) io.exitCode = 130;
      } finally {
        sig.dispose();
      }
    });
}
