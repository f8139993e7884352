#!/usr/bin/env node
// The command line: wiring only. Parse options with commander, call the rooms (ingest → timeline →
// detectors → report), choose the exit code: 0 done, 1 a finding reached --fail-on, 2 usage or input error.
import { Command, CommanderError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { readTimeline, runDetectors } from './analyze.js';
import { InputError } from './ingest/read-input.js';
import { FORMATS } from './ingest/registry.js';
import { DETECTORS } from './detectors/registry.js';
import { renderJson } from './report/json.js';
import { renderMarkdown } from './report/markdown.js';
import { VERSION } from './version.js';

/** An error in how hindsight was called (exit code 2). */
class UsageError extends Error {}

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

function output(text: string, file: string | undefined, io: Io): void {
  if (file && file !== '-') writeFileSync(file, text);
  else io.stdout(text);
}

/** Stops reading on SIGINT/SIGTERM and lets the run write what it read. */
function interruptible(): { shouldStop: () => boolean; dispose: () => void } {
  let stop = false;
  const on = () => {
    if (stop) process.exit(130);
    stop = true;
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    shouldStop: () => stop,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

export function buildProgram(io: Io): Command {
  const program = new Command();
  program
    .name('hindsight')
    .description('Post-mortem reports from Railway and PostgreSQL logs: finds what went wrong, and writes it up.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('analyze')
    .description('Read logs and metrics, run the detectors, write the incident report.')
    .argument('[inputs...]', 'files, directories, .gz files, or - for standard input (default: standard input)')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('--input-format <name>', 'read every input as this format instead of detecting it (see `hindsight formats`)')
    .option('--service <name>', 'service name for records that do not carry one (default: from the file name)')
    .option('--pg-prefix <prefix>', "PostgreSQL log_line_prefix to read stderr logs with, as in postgresql.conf (e.g. '%t [%p]: ')")
    .addHelpText(
      'after',
      `
Examples:
  railway logs --json --since 24h | hindsight analyze
  hindsight analyze samples/whendoist
  hindsight analyze api.jsonl postgres.log.gz metrics.json --format json -o report.json`,
    )
    .action(async (inputs: string[], opts: { format: string; output?: string; inputFormat?: string; service?: string; pgPrefix?: string }) => {
      const sig = interruptible();
      try {
        const { summary } = await readTimeline(inputs, { inputFormat: opts.inputFormat, service: opts.service, pgPrefix: opts.pgPrefix, shouldStop: sig.shouldStop });
        const { findings, runs } = runDetectors(summary);
        const report = { timeline: summary, findings, runs };
        output(opts.format === 'json' ? renderJson(report) : renderMarkdown(report), opts.output, io);
      } finally {
        sig.dispose();
      }
    });

  program
    .command('formats')
    .description('List the input formats hindsight reads, with an example line and how each is recognised.')
    .action(() => {
      for (const f of FORMATS) {
        io.stdout(`${f.id}\n  ${f.title}\n  recognised by: ${f.recognisedBy}\n  example: ${f.example}\n\n`);
      }
    });

  program
    .command('detectors')
    .description('List the detectors with their explanation and default thresholds.')
    .action(() => {
      if (DETECTORS.length === 0) io.stdout('no detectors yet\n');
      for (const d of DETECTORS) {
        io.stdout(`${d.meta.id}: ${d.meta.title}\n  ${d.meta.explanation}\n`);
        for (const [k, v] of Object.entries(d.meta.defaults)) io.stdout(`  ${k} = ${JSON.stringify(v)}\n`);
        io.stdout('\n');
      }
    });

  return program;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return (program as unknown as { exitCodeOverride?: number }).exitCodeOverride ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof InputError || e instanceof UsageError) {
      io.stderr(`hindsight: ${e.message}\n`);
      return 2;
    }
    io.stderr(`hindsight: internal error: ${(e as Error).message}\n(this is a bug in hindsight; set HINDSIGHT_DEBUG=1 for the stack)\n`);
    if (process.env.HINDSIGHT_DEBUG) io.stderr(`${(e as Error).stack}\n`);
    return 2;
  }
}

// Run when executed directly (not when imported by tests).
const invoked = process.argv[1] ?? '';
if (invoked.endsWith('cli.js') || invoked.endsWith('hindsight')) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
