#!/usr/bin/env node
// The command line: wiring only. Each command lives in ./commands/<name>.ts; this file builds the
// program and turns errors into exit codes: 0 done, 1 a finding reached --fail-on, 2 usage,
// configuration or input error. Every error is one line on standard error, `hindsight: ...`.
import { Command, CommanderError } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from './ingest/input-error.js';
import { ConfigError } from './config.js';
import { VERSION } from './version.js';
import { UsageError, type Io } from './commands/io.js';
import { NeedsInput } from './commands/pipeline-run.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerDigest } from './commands/digest.js';
import { registerPull } from './commands/pull.js';
import { registerFormats } from './commands/formats.js';
import { registerConventions } from './commands/conventions.js';
import { registerDetectors } from './commands/detectors.js';
import { registerTemplates } from './commands/templates.js';
import { tuneHeapForStreaming } from './commands/heap.js';
import { redact } from './redact.js';

export function buildProgram(io: Io): Command {
  const program = new Command();
  program
    .name('hindsight')
    .description('Post-mortem reports from Railway and PostgreSQL logs: finds what went wrong, and writes it up.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: commanderError('hindsight --help'),
    })
    .addHelpText(
      'after',
      `
Examples:
  hindsight analyze --railway --project ID --environment production --since 2h   # from Railway's API
  railway logs --json --since 2h | hindsight analyze             # piped: at most 500 lines
  hindsight analyze samples/whendoist -o incident.md
  hindsight analyze logs/ --format text                          # terminal summary
  hindsight analyze logs/ --format json --fail-on high           # for CI: exit code 1 on a high finding
  hindsight digest --railway --project ID --environment production --since 24h --state state.json
  hindsight pull railway --project ID --environment production --since 6h -o logs/   # keep the window
  hindsight formats                                              # the input formats hindsight reads
  hindsight conventions                                          # the loggers whose own level hindsight reads
  hindsight detectors                                            # what each detector looks for

Run hindsight <command> --help for a command's options. Docs: docs/report.md, docs/config.md, docs/json.md, docs/nightly.md, docs/railway.md.`,
    );
  registerAnalyze(program, io);
  registerDigest(program, io);
  registerPull(program, io);
  registerFormats(program, io);
  registerConventions(program, io);
  registerDetectors(program, io);
  registerTemplates(program, io);
  // Examples for the listing commands, kept here so that their files stay about what they list.
  const examples: Record<string, string> = {
    formats: 'hindsight formats\n  hindsight analyze app.log --input-format railway-text   # force a format listed here\n\nThe level of a line inside these formats is read from the logger\'s own words: hindsight conventions lists them.',
    conventions: 'hindsight conventions\n  hindsight conventions | grep -A3 celery                 # one convention, its shape and a real line',
    detectors: 'hindsight detectors\n  hindsight detectors | grep -A8 cadence-drift            # one detector and its thresholds\n\nThresholds can be changed per detector in hindsight.config.json (docs/config.md).',
  };
  for (const c of program.commands) {
    const ex = examples[c.name()];
    if (ex) c.addHelpText('after', `\nExamples:\n  ${ex}`);
    // A command's own errors point at its own help, where its options are.
    c.configureOutput({ outputError: commanderError(`hindsight ${c.name()} --help`) });
  }
  return program;
}

/** Commander's own errors ("error: unknown option '--x'") as one `hindsight:` line that says where the help is. */
function commanderError(help: string): (str: string, write: (s: string) => void) => void {
  return (str, write) => write(`hindsight: ${oneLine(str.replace(/^error:\s*/i, ''))} (see ${help})\n`);
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: string[], io?: Io): Promise<number> {
  const ioReal: Io = io ?? {
    stdout: (s) => process.stdout.write(s),
    // An empty write's callback runs after the writes before it, with their error if one failed.
    flushStdout: () => new Promise((resolve, reject) => process.stdout.write('', (e) => (e ? reject(e) : resolve()))),
    stderr: (s) => process.stderr.write(s),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
  };
  const program = buildProgram(ioReal);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ioReal.exitCode ?? 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof NeedsInput) {
      const cmd = program.commands.find((c) => c.name() === argv.find((a) => !a.startsWith('-')));
      ioReal.stderr(`hindsight: ${oneLine(e.message)}\n\n`);
      (cmd ?? program).outputHelp({ error: true });
      return 2;
    }
    if (e instanceof InputError || e instanceof UsageError || e instanceof ConfigError) {
      ioReal.stderr(`hindsight: ${oneLine(e.message)}\n`);
      return 2;
    }
    ioReal.stderr(`hindsight: internal error: ${oneLine((e as Error)?.message ?? String(e))} (a bug in hindsight; HINDSIGHT_DEBUG=1 shows the stack)\n`);
    if (process.env.HINDSIGHT_DEBUG) ioReal.stderr(`${redact(String((e as Error)?.stack))}\n`);
    return 2;
  }
}

/** An error message as one line, redacted: errors quote paths, option values and input text. */
function oneLine(s: string): string {
  return redact(s.replace(/\s*\n\s*/g, ' ').trim());
}

function isMain(): boolean {
  try {
    return realpathSync(process.argv[1] ?? '') === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * A reader that stops early (`hindsight formats | head -1`) closes the pipe: the rest of the output
 * has nowhere to go, and that is not an error, so hindsight stops quietly, as Unix tools do on
 * SIGPIPE. Any other failure to write is one `hindsight:` line and exit code 2, not a stack trace.
 */
function stopQuietlyOnClosedPipe(): void {
  for (const [stream, name] of [
    [process.stdout, 'standard output'],
    [process.stderr, 'standard error'],
  ] as const) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (stream !== process.stderr) process.stderr.write(`hindsight: cannot write ${name}: ${oneLine(e.message)}\n`);
      process.exit(2);
    });
  }
}

if (isMain()) {
  stopQuietlyOnClosedPipe();
  tuneHeapForStreaming();
  main(process.argv.slice(2)).then((code) => {
    // Let stdout drain before exiting (piped output).
    process.exitCode = code;
  });
}
