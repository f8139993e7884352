// The statement a bare `duration: N ms` line is for: with log_statement and log_duration,
// PostgreSQL writes `statement: ...` when a statement starts and a bare duration when it ends, and
// the duration belongs to its session's last statement (pgBadger pairs them the same way).
//
// Time outliers (see Timeline.timeFences) are known only at the end, and a statement, a session's
// end or a server start dated 1970 must not decide which statement a duration of the bulk is for.
// So each session keeps its last mark (a statement, or its end) per time slice of the PostgreSQL
// statistics, and server starts are kept per slice too: the fences fall on slice boundaries, so a
// whole slice is in or out. A duration whose session's newest mark is in the duration's own slice
// is decided at once (both are in, or both out: the common case); otherwise the duration waits
// with its session's marks, and the end takes the newest mark inside the fences.

/** A statement (`text`) or the end of what came before (`text` null: the session ended, or the server started). */
export interface Mark {
  ts: number | null;
  /** Order of arrival. */
  seq: number;
  text: string | null;
}

/** The statement of the newest mark inside the fences ('' when it is an end, or there is none). */
export function statementInside(marks: readonly Mark[], inside: (ts: number | null) => boolean): string {
  for (let i = marks.length - 1; i >= 0; i--) if (inside(marks[i]!.ts)) return marks[i]!.text ?? '';
  return '';
}

export class SessionStatements {
  private readonly bySession = new Map<string, Mark[]>();
  /** Server starts, the newest per slice. */
  private starts: Mark[] = [];
  private seq = 0;

  /** `sliceMs` gives the statistics' current slice width; at most `maxSessions` sessions are followed. */
  constructor(
    private readonly sliceMs: () => number,
    private readonly maxSessions: number,
  ) {}

  statement(session: string, ts: number | null, text: string): void {
    const marks = this.bySession.get(session);
    if (marks === undefined && this.bySession.size >= this.maxSessions) return;
    this.bySession.set(session, this.put(marks ?? [], { ts, seq: this.seq++, text }));
  }

  end(session: string, ts: number | null): void {
    const marks = this.bySession.get(session);
    if (marks === undefined) return;
    const kept = this.put(marks, { ts, seq: this.seq++, text: null });
    // An end alone decides nothing: a duration after it has no statement, fences or not.
    if (kept.length === 1) this.bySession.delete(session);
    else this.bySession.set(session, kept);
  }

  serverStart(ts: number | null): void {
    this.starts = this.put(this.starts, { ts, seq: this.seq++, text: null });
    // Marks in the start's slice are behind it whatever the fences: sessions left with none go.
    for (const [session, marks] of this.bySession) {
      const kept = marks.filter((m) => !this.sameSlice(m.ts, ts));
      if (kept.length === 0) this.bySession.delete(session);
      else if (kept.length < marks.length) this.bySession.set(session, kept);
    }
  }

  /**
   * For a bare duration at `ts`: its statement ('' for none) when the fences cannot change it,
   * otherwise the marks to choose from at the end (oldest first).
   */
  lookup(session: string, ts: number | null): string | Mark[] {
    const own = this.bySession.get(session);
    // With no mark of its own, server starts alone can only say "none".
    if (own === undefined) return '';
    const marks = this.starts.length === 0 ? own : [...own, ...this.starts].sort((a, b) => a.seq - b.seq);
    if (marks.length === 0) return '';
    const newest = marks[marks.length - 1]!;
    if (this.sameSlice(newest.ts, ts)) return newest.text ?? '';
    return marks === own ? own.slice() : marks;
  }

  /** The marks with `m` added, keeping only the newest of each slice. */
  private put(marks: Mark[], m: Mark): Mark[] {
    // The common case, a mark in the newest one's slice, replaces it in place.
    if (marks.length > 0 && this.sameSlice(marks[marks.length - 1]!.ts, m.ts)) {
      marks[marks.length - 1] = m;
      return marks;
    }
    const kept: Mark[] = [m];
    for (let i = marks.length - 1; i >= 0; i--) {
      const x = marks[i]!;
      if (!kept.some((k) => this.sameSlice(k.ts, x.ts))) kept.push(x);
    }
    return kept.reverse();
  }

  private sameSlice(a: number | null, b: number | null): boolean {
    if (a === null || b === null) return a === b;
    const w = this.sliceMs();
    return Math.floor(a / w) === Math.floor(b / w);
  }
}
