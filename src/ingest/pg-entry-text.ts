// PostgreSQL's stderr text carried in another log service's entries: Cloud Logging's
// `textPayload`, CloudWatch's `message`, Azure's `prefix` + `errorLevel` + `message`. An entry
// holds one stderr line, or a line with the tab-indented lines under it (a multi-line statement,
// a deadlock's DETAIL), or (when the service ships line by line) only such a tab-indented line.
// DETAIL/HINT/STATEMENT/CONTEXT entries join their process's record as in a stderr file.
import type { EventSink } from './format.js';
import { parsePgLine, PgRecordAssembler } from './postgres-line.js';

export class PgEntryText {
  readonly pg: PgRecordAssembler;

  constructor(sink: EventSink) {
    this.pg = new PgRecordAssembler(sink);
  }

  /**
   * Adds the text of one entry, `lines` input lines long (0 for an entry inside a JSON document
   * whose lines are counted as a whole). `fallbackTs` is the entry's own time, for a prefix
   * without one. False when the text is no PostgreSQL line (the caller skips the entry, saying why).
   */
  add(text: string, fallbackTs: number | null, service: string, input: number, line: number, lines: number): boolean {
    let nl = text.indexOf('\n');
    const first = nl === -1 ? text : text.slice(0, nl);
    if (first.charCodeAt(0) === 9) {
      if (!this.pg.continueLast(first.slice(1), lines)) return false;
    } else {
      const pl = parsePgLine(first);
      if (pl === null) return false;
      this.pg.add(pl, service, input, line, undefined, undefined, fallbackTs, lines);
    }
    while (nl !== -1) {
      const next = text.indexOf('\n', nl + 1);
      const piece = next === -1 ? text.slice(nl + 1) : text.slice(nl + 1, next);
      nl = next;
      if (piece.charCodeAt(0) === 9) this.pg.continueLast(piece.slice(1), 0);
      else if (piece.length > 0) {
        // A shipper that grouped a record's DETAIL/STATEMENT lines into one entry.
        const pl = parsePgLine(piece);
        if (pl !== null) this.pg.add(pl, service, input, line, undefined, undefined, fallbackTs, 0);
        else this.pg.continueLast(piece, 0);
      }
    }
    return true;
  }

  flush(): void {
    this.pg.flush();
  }
}
