// The statement of a bare duration when marks of its session fall in slices the time fences may
// leave out (see src/timeline/session-statements.ts). Marks are the class's own input here: no log
// lines (the end-to-end case on PostgreSQL 15's output is in time-outliers.test.ts).
import { describe, expect, it } from 'vitest';
import { SessionStatements, statementInside } from '../../src/timeline/session-statements.js';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 5, 1, 10);
const FAR = 0;
const bulk = (ts: number | null) => ts === null || ts >= T - 30 * 86_400_000;
const all = () => true;

describe('SessionStatements', () => {
  it('decides at once when the newest mark is in the duration\'s slice', () => {
    const s = new SessionStatements(() => HOUR, 10);
    s.statement('p1', T, 'select 1');
    expect(s.lookup('p1', T + 5)).toBe('select 1');
    s.end('p1', T + 10);
    expect(s.lookup('p1', T + 20)).toBe('');
    expect(s.lookup('nobody', T)).toBe('');
  });

  it('a session end or a server start dated far away leaves the statement to the fences', () => {
    const s = new SessionStatements(() => HOUR, 10);
    s.statement('p1', T, 'select 1');
    s.end('p1', FAR);
    const marks = s.lookup('p1', T + 5);
    expect(typeof marks).not.toBe('string');
    expect(statementInside(marks as never, bulk)).toBe('select 1');
    expect(statementInside(marks as never, all)).toBe('');
    s.statement('p2', T, 'select 2');
    s.serverStart(FAR);
    const m2 = s.lookup('p2', T + 5);
    expect(statementInside(m2 as never, bulk)).toBe('select 2');
    expect(statementInside(m2 as never, all)).toBe('');
  });

  it('keeps one mark per slice, and follows the slices as they widen', () => {
    let w = HOUR;
    const s = new SessionStatements(() => w, 10);
    s.statement('p', FAR, 'far');
    s.statement('p', T, 'a');
    s.statement('p', T + 1, 'b');
    s.statement('p', T + HOUR, 'c');
    expect(statementInside(s.lookup('p', T + 2 * HOUR) as never, bulk)).toBe('c');
    w = 4 * HOUR;
    s.statement('p', T + 2, 'd');
    expect(s.lookup('p', T + 3)).toBe('d');
    expect(statementInside(s.lookup('p', T + 10 * HOUR) as never, (ts) => ts === FAR)).toBe('far');
  });

  it('follows at most its number of sessions', () => {
    const s = new SessionStatements(() => HOUR, 2);
    for (const p of ['a', 'b', 'c']) s.statement(p, T, p);
    expect([s.lookup('a', T), s.lookup('b', T), s.lookup('c', T)]).toEqual(['a', 'b', '']);
  });
});
