// What commands share: where output goes, and the errors that mean exit code 2.
import { writeFileSync } from 'node:fs';

export interface Io {
  stdout: (s: string) => void;
  /**
   * Resolves once everything given to `stdout` so far has been handed to the system; rejects with
   * the error of a write that failed (a full disk). Absent: writes are complete when they return.
   */
  flushStdout?: () => Promise<void>;
  stderr: (s: string) => void;
  /** Whether standard output / error are terminals (colors, progress). */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Whether standard input is a terminal (nothing piped: show help instead of waiting). */
  stdinIsTTY?: boolean;
  /** Environment for color decisions (default: process.env); injectable for tests. */
  env?: NodeJS.ProcessEnv;
  /** Standard input, injectable for tests. */
  stdin?: import('node:stream').Readable;
  /** Working directory for hindsight.config.json (default: process.cwd()). */
  cwd?: string;
  /** Set by a command to choose the exit code (1 when findings reach --fail-on). */
  exitCode?: number;
  /** What runs a clickhouse:// input's queries (default: the server over HTTP); the tests give the embedded engine. */
  clickhouse?: import('./clickhouse-source.js').ExecutorFactory;
}

/** An error in how hindsight was called (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Writes `text` to `file` (`-` or none: standard output). */
export function writeOutput(text: string, file: string | undefined, io: Io): void {
  if (file && file !== '-') {
    try {
      writeFileSync(file, text);
    } catch (e) {
      throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
    }
  } else io.stdout(text);
}

/**
 * Stops reading on SIGINT/SIGTERM and lets the run write what it read (`shouldStop`, and `signal`
 * aborted for requests in flight); a second signal exits at once.
 */
export function interruptible(): { shouldStop: () => boolean; signal: AbortSignal; dispose: () => void } {
  let stop = false;
  const abort = new AbortController();
  const on = () => {
    if (stop) process.exit(130);
    stop = true;
    abort.abort();
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    shouldStop: () => stop,
    signal: abort.signal,
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
