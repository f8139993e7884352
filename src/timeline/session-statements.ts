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

/**
 * What a part of the input hands over for the parts after it (see Timeline.partial): each
 * session's marks and the server starts, and the part's head: what it saw of sessions it had no
 * mark of (their ends, the server starts, and the bare durations waiting for the parts before).
 */
export interface SessionStatementsPartial {
  seq: number;
  sessions: [string, Mark[]][];
  starts: Mark[];
  /** In arrival order: a session's end before its first mark here, a server start, or a bare duration (`head` is its index among the part's waiting durations). */
  head: { kind: 'end' | 'start' | 'duration'; session: string; ts: number | null; seq: number; duration: number }[];
}

/** Bare durations of sessions without a mark in their part, at most, waiting for the parts before (past it, they have no statement, as for a session without any). */
const MAX_HEAD = 10_000;

export class SessionStatements {
  private readonly bySession = new Map<string, Mark[]>();
  /** Server starts, the newest per slice. */
  private starts: Mark[] = [];
  private seq = 0;
  /** With `logged`: the sessions that had a mark in this part, and the part's head (see SessionStatementsPartial). */
  private readonly seen: Set<string> | null;
  private readonly head: SessionStatementsPartial['head'] = [];
  private heads = 0;

  /** `sliceMs` gives the statistics' current slice width; at most `maxSessions` sessions are followed; `logged` keeps what partial() hands over. */
  constructor(
    private readonly sliceMs: () => number,
    private readonly maxSessions: number,
    logged = false,
  ) {
    this.seen = logged ? new Set() : null;
  }

  statement(session: string, ts: number | null, text: string): void {
    const marks = this.bySession.get(session);
    if (marks === undefined && this.bySession.size >= this.maxSessions) return;
    this.seen?.add(session);
    this.bySession.set(session, this.put(marks ?? [], { ts, seq: this.seq++, text }));
  }

  end(session: string, ts: number | null): void {
    if (this.seen !== null && !this.bySession.has(session) && !this.seen.has(session) && this.head.length < MAX_HEAD * 2) this.head.push({ kind: 'end', session, ts, seq: this.seq, duration: -1 });
    this.endAt(session, ts, this.seq++);
  }

  /**
   * For a bare duration of a session this part has no mark of: a number (its index among the
   * waiting durations) when the parts before must say, else null (not a part, or it has one).
   */
  waiting(session: string, ts: number | null): number | null {
    if (this.seen === null || this.seen.has(session) || this.heads >= MAX_HEAD) return null;
    this.head.push({ kind: 'duration', session, ts, seq: this.seq++, duration: this.heads });
    return this.heads++;
  }

  /** What this part hands over (copies of the marks lists). */
  partial(): SessionStatementsPartial {
    return { seq: this.seq, sessions: [...this.bySession].map(([k, m]) => [k, m.slice()]), starts: this.starts.slice(), head: this.head.slice() };
  }

  /**
   * Takes a later part's handover: its head against the marks here (each waiting duration's
   * statement, or its marks, through `decide` in the part's order), then its marks on top.
   */
  absorb(p: SessionStatementsPartial, decide: (duration: number, found: string | Mark[]) => void): void {
    const base = this.seq;
    const at = (m: Mark): Mark => ({ ts: m.ts, seq: m.seq + base, text: m.text });
    for (const h of p.head) {
      if (h.kind === 'start') this.serverStartAt(h.ts, h.seq + base);
      else if (h.kind === 'end') this.endAt(h.session, h.ts, h.seq + base);
      else decide(h.duration, this.lookup(h.session, h.ts));
    }
    for (const [session, marks] of p.sessions) {
      let own = this.bySession.get(session);
      if (own === undefined && this.bySession.size >= this.maxSessions) continue;
      for (const m of marks) own = this.put(own ?? [], at(m));
      this.bySession.set(session, own!);
    }
    // The part's server starts came with its head.
    this.seq = base + p.seq;
  }

  serverStart(ts: number | null): void {
    if (this.seen !== null) this.head.push({ kind: 'start', session: '', ts, seq: this.seq, duration: -1 });
    this.serverStartAt(ts, this.seq++);
  }

  private endAt(session: string, ts: number | null, seq: number): void {
    const marks = this.bySession.get(session);
    if (marks === undefined) return;
    const kept = this.put(marks, { ts, seq, text: null });
    // An end alone decides nothing: a duration after it has no statement, fences or not. (In a
    // part, kept: the marks of the parts before come in front of it.)
    if (kept.length === 1 && this.seen === null) this.bySession.delete(session);
    else this.bySession.set(session, kept);
  }

  private serverStartAt(ts: number | null, seq: number): void {
    this.starts = this.put(this.starts, { ts, seq, text: null });
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
