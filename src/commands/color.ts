// Whether to write ANSI colors, by the conventions of no-color.org and clig.dev: --no-color and a
// non-empty NO_COLOR turn them off, FORCE_COLOR (other than 0/false) turns them on, TERM=dumb turns
// them off, and otherwise they follow whether the output is a terminal.

/** True when colored output should be written to a stream that is (or is not) a terminal. */
export function useColor(opts: { flag?: boolean; isTTY?: boolean; toFile?: boolean; env?: NodeJS.ProcessEnv }): boolean {
  const env = opts.env ?? process.env;
  if (opts.flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force.toLowerCase() !== 'false') return true;
  if (env.TERM === 'dumb') return false;
  if (opts.toFile) return false;
  return opts.isTTY === true;
}
