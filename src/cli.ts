#!/usr/bin/env node
// The command line: wiring only. Each command lives in ./commands/<name>.ts; this file builds the
// program and turns errors into exit codes: 0 done, 1 a finding reached --fail-on, 2 usage or input error.
import { Command, CommanderError } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from './ingest/read-input.js';
import { VERSION } from './version.js';
import { UsageError, type Io } from './commands/io.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerFormats } from './commands/formats.js';
import { registerDetectors } from './commands/detectors.js';

export function buildProgram(io: Io): Command {
  const program = new Command();
  program
    .name('hindsight')
    .description('Post-mortem reports from Railway and PostgreSQL logs: finds what went wrong, and writes it up.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');
  registerAnalyze(program, io);
  registerFormats(program, io);
  registerDetectors(program, io);
  return program;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io?: Io): Promise<number> {
  const ioReal: Io = io ?? {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  };
  const program = buildProgram(ioReal);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ioReal.exitCode ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof InputError || e instanceof UsageError) {
      ioReal.stderr(`hindsight: ${e.message}\n`);
      return 2;
    }
    ioReal.stderr(`hindsight: internal error: ${(e as Error).message}\n(this is a bug in hindsight; set HINDSIGHT_DEBUG=1 for the stack)\n`);
    if (process.env.HINDSIGHT_DEBUG) ioReal.stderr(`${(e as Error).stack}\n`);
    return 2;
  }
}

function isMain(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).then((code) => {
    // Let stdout drain before exiting (piped output).
    process.exitCode = code;
  });
}
