// Runs the CLI in-process (main(argv, io)) and captures what it writes: fast, no child process.
import { Readable } from 'node:stream';
import { main } from '../../src/cli.js';
import type { Io } from '../../src/commands/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Standard input: text (written as UTF-8) or bytes as they are. */
  stdin?: string | Buffer;
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** What runs a clickhouse:// input's queries (the end-to-end tests give the embedded engine). */
  clickhouse?: Io['clickhouse'];
}

/** `hindsight <argv>` in-process, with standard input from `opts.stdin` (empty by default). */
export async function runCli(argv: string[], opts: CliOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    stdoutIsTTY: opts.stdoutIsTTY ?? false,
    stderrIsTTY: opts.stderrIsTTY ?? false,
    stdinIsTTY: opts.stdinIsTTY ?? false,
    env: opts.env ?? {},
    stdin: Readable.from(opts.stdin === undefined ? [] : [typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : opts.stdin]),
    cwd: opts.cwd,
    clickhouse: opts.clickhouse,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
