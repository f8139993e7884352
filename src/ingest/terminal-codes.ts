// Terminal escape sequences in log messages. Loggers that colour their output (uvicorn, rich,
// chalk, Rails in development) write them into the stream whenever they believe they talk to a
// terminal, and Railway stores them as they came: `\u001b[31mERROR\u001b[0m: payment failed`.
// Left in, they split templates (`[<*> [<*>:`), hide the level word from the level cue, and would
// act on the terminal of whoever reads the report. Removed at ingest, as lnav and hl do.

/**
 * ECMA-48 sequences: CSI (`ESC [`, parameter and intermediate bytes, one final byte: colours,
 * cursor moves), OSC (`ESC ]` up to BEL or `ESC \`: window titles, hyperlinks), and the
 * two-byte escapes (`ESC` and one byte from `0` to `~`: `ESC 7` saves the cursor, `ESC c` resets).
 * A lone ESC at the end goes too.
 */
// eslint-disable-next-line no-control-regex -- ESC and BEL are what the pattern removes
const SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[0-~]|$)/g;

/** `s` without its terminal escape sequences (`s` itself when it has none: one search, no copy). */
export function withoutTerminalCodes(s: string): string {
  return s.indexOf('\u001b') === -1 ? s : s.replace(SEQUENCE, '');
}
