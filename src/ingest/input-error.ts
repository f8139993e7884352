// The errors about an input that stop hindsight with exit code 2, or skip an input found in a directory.

/** An error about an input that stops hindsight with exit code 2 (a usage or input error). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * An input that is not a log hindsight can read (binary or compressed data, a format not
 * recognised, a JSON array): an error when it was named on the command line, a skipped input
 * with a warning when it was found in a directory. `reason` is the message without the input's name.
 */
export class NotALogError extends InputError {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'NotALogError';
  }
}

/** Why a path cannot be read, in words (the message after `cannot read PATH: `). */
export function whyUnreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'ELOOP') return 'a loop of symbolic links';
  return (e as Error).message;
}
