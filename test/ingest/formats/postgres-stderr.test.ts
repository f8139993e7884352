// The `postgres` (stderr) format: built-in prefixes with varied zones, joining, foreign lines, --pg-prefix.
import { describe, expect, it } from 'vitest';
import { readText } from '../run-format.js';
import { parsePgLine } from '../../../src/ingest/postgres-line.js';
import { compilePgPrefix } from '../../../src/ingest/pg-prefix.js';

/** Offsets (minutes east of UTC) of the zones written in the synthetic lines. */
const ZONES: [string, number][] = [
  ['UTC', 0],
  ['CET', 60],
  ['CEST', 120],
  ['EST', -300],
  ['+03', 180],
  ['-0500', -300],
  ['+0530', 330],
  ['MSK', 180],
];

/** Prefix shapes people configure, with what the parser must find in them. */
const SHAPES: { name: string; make: (ts: string, pid: number) => string; expect: Record<string, unknown> }[] = [
  { name: "default '%m [%p] '", make: (ts, pid) => `${ts} [${pid}] `, expect: {} },
  {
    name: "'%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h '",
    make: (ts, pid) => `${ts} [${pid}]: [7-1] user=billing,db=ledger,app=rails-worker,client=10.4.0.12 `,
    expect: { user: 'billing', database: 'ledger', application: 'rails-worker', client: '10.4.0.12' },
  },
  { name: "Debian '%m [%p] %q%u@%d '", make: (ts, pid) => `${ts} [${pid}] svc_api@orders `, expect: { user: 'svc_api', database: 'orders' } },
  {
    name: "RDS '%t:%r:%u@%d:[%p]:'",
    make: (ts, pid) => `${ts}:172.31.5.9(40112):reporter@analytics:[${pid}]:`,
    expect: { user: 'reporter', database: 'analytics', client: '172.31.5.9' },
  },
  { name: "'%m [%p-%l] %e '", make: (ts, pid) => `${ts} [${pid}-3] 57014 `, expect: { sqlstate: '57014' } },
  { name: "'<%m> [%p] '", make: (ts, pid) => `<${ts}> [${pid}] `, expect: {} },
];

describe('postgres stderr: built-in prefixes', () => {
  for (const shape of SHAPES) {
    for (const [zone, offset] of ZONES) {
      for (const ms of [false, true]) {
        it(`${shape.name} with ${zone}${ms ? ' and milliseconds' : ''}`, async () => {
          const local = ms ? '2026-02-07 19:21:03.250' : '2026-02-07 19:21:03';
          // PostgreSQL writes `%Y-%m-%d %H:%M:%S[.ms] <zone>`: an abbreviation, or `+03`-style offsets.
          const stamps = [`${local} ${zone}`];
          for (const stamp of stamps) {
            const pid = 4000 + offset;
            const text = [
              `${shape.make(stamp, pid)}ERROR:  canceling statement due to statement timeout`,
              `${shape.make(stamp, pid)}STATEMENT:  SELECT pg_sleep(30)`,
            ].join('\n');
            const { summary, events } = await readText(text + '\n');
            expect(summary.format).toBe('postgres');
            expect(summary.skipped).toBe(0);
            expect(events).toHaveLength(1);
            const e = events[0]!;
            expect(e.ts).toBe(Date.UTC(2026, 1, 7, 19, 21, 3, ms ? 250 : 0) - offset * 60_000);
            expect(e.level).toBe('error');
            expect(e.levelText).toBe('ERROR');
            expect(e.source).toBe('postgres');
            expect(e.message).toBe('canceling statement due to statement timeout');
            expect(e.pg).toMatchObject({ pid, severity: 'ERROR', statement: 'SELECT pg_sleep(30)', ...shape.expect });
          }
        });
      }
    }
  }

  it('reads %n (epoch seconds) prefixes', () => {
    const pl = parsePgLine('1770492063.250 [812] LOG:  checkpoint starting: time')!;
    expect(pl.ts).toBe(1770492063250);
    expect(pl.fields.pid).toBe(812);
    expect(pl.message).toBe('checkpoint starting: time');
  });

  it('maps every severity to a level and keeps PostgreSQL\'s word', async () => {
    const sevs: [string, string][] = [['DEBUG1', 'debug'], ['INFO', 'info'], ['NOTICE', 'info'], ['WARNING', 'warn'], ['ERROR', 'error'], ['LOG', 'info'], ['FATAL', 'fatal'], ['PANIC', 'fatal']];
    const text = sevs.map(([s], i) => `2026-02-07 10:00:0${i} UTC [${100 + i}] ${s}:  message ${i}`).join('\n');
    const { events } = await readText(text);
    expect(events.map((e) => [e.levelText, e.level])).toEqual(sevs);
  });

  it('does not take a severity from inside the message, nor a line without [pid] for PostgreSQL', () => {
    const pl = parsePgLine('2026-02-07 10:00:00.001 UTC [55] LOG:  statement: SELECT \'x ERROR:  y\'')!;
    expect(pl.severity).toBe('LOG');
    expect(pl.message).toBe("statement: SELECT 'x ERROR:  y'");
    // Python's logging format is not a PostgreSQL line.
    expect(parsePgLine('2026-02-07 10:00:00,123 - app.db - ERROR: connection lost')).toBeNull();
    expect(parsePgLine('2026-02-07T10:00:00Z ERROR: failed')).toBeNull();
    expect(parsePgLine('not a log line')).toBeNull();
  });
});

describe('postgres stderr: joining and foreign lines', () => {
  it('joins DETAIL/HINT/CONTEXT/QUERY/STATEMENT to the record of the same process across interleaved processes', async () => {
    const text = [
      '2026-02-07 19:21:03.100 UTC [301] ERROR:  deadlock detected',
      '2026-02-07 19:21:03.101 UTC [302] LOG:  duration: 1200.5 ms  statement: UPDATE a SET x = 1',
      '2026-02-07 19:21:03.102 UTC [301] DETAIL:  Process 301 waits for ShareLock on transaction 9; blocked by process 302.',
      '\tProcess 302 waits for ShareLock on transaction 8; blocked by process 301.',
      '2026-02-07 19:21:03.103 UTC [301] HINT:  See server log for query details.',
      '2026-02-07 19:21:03.104 UTC [301] CONTEXT:  while updating tuple (0,1) in relation "a"',
      '2026-02-07 19:21:03.105 UTC [302] LOG:  checkpoint starting: time',
      '2026-02-07 19:21:03.106 UTC [301] QUERY:  SELECT 1 FROM b',
      '2026-02-07 19:21:03.107 UTC [301] STATEMENT:  UPDATE b',
      '\t  SET y = 2',
      '\tWHERE id = 3',
    ].join('\n');
    const { summary, events } = await readText(text);
    expect(summary.lines).toBe(11);
    expect(summary.skipped).toBe(0);
    expect(summary.records).toBe(3);
    const dl = events.find((e) => e.message === 'deadlock detected')!;
    expect(dl.pg).toMatchObject({
      pid: 301,
      detail: 'Process 301 waits for ShareLock on transaction 9; blocked by process 302.\nProcess 302 waits for ShareLock on transaction 8; blocked by process 301.',
      hint: 'See server log for query details.',
      context: 'while updating tuple (0,1) in relation "a"',
      query: 'SELECT 1 FROM b',
      statement: 'UPDATE b\n  SET y = 2\nWHERE id = 3',
    });
    expect(dl.line).toBe(1);
    expect(events.filter((e) => e.pg!.pid === 302).map((e) => e.message)).toEqual([
      'duration: 1200.5 ms  statement: UPDATE a SET x = 1',
      'checkpoint starting: time',
    ]);
  });

  it('joins continuations across more interleaved processes than it holds, and loses no line when it must let one go', async () => {
    // 40 processes each write a record, then their DETAIL lines come back in another order: the
    // first 24 are beyond the 16 held records and become records of their own, the last 16 join.
    const pids = Array.from({ length: 40 }, (_, i) => 1000 + i * 7);
    const lines: string[] = [];
    for (const pid of pids) lines.push(`2026-03-01 08:00:00.${String(pid % 1000).padStart(3, '0')} UTC [${pid}] ERROR:  duplicate key value violates unique constraint "t_pkey"`);
    for (const pid of [...pids].reverse()) lines.push(`2026-03-01 08:00:01.000 UTC [${pid}] DETAIL:  Key (id)=(${pid}) already exists.`);
    const { summary, events } = await readText(lines.join('\n'));
    expect(summary.lines).toBe(80);
    expect(summary.events + summary.skipped).toBe(summary.lines);
    const joined = events.filter((e) => e.pg?.detail !== undefined);
    const alone = events.filter((e) => e.message.startsWith('Key (id)='));
    expect(joined.length).toBe(16);
    expect(joined.every((e) => e.pg!.detail === `Key (id)=(${e.pg!.pid}) already exists.`)).toBe(true);
    expect(alone.length + joined.length).toBe(40);
    expect(summary.records).toBe(40 + alone.length);
  });

  it('keeps a continuation line whose record is not in the input as a record of its own', async () => {
    const text = ['2026-02-07 19:21:03 UTC [77] DETAIL:  Key (id)=(5) already exists.', '2026-02-07 19:21:04 UTC [78] LOG:  database system is ready to accept connections'].join('\n');
    const { summary, events } = await readText(text);
    expect(summary.skipped).toBe(0);
    expect(events.map((e) => [e.levelText, e.message])).toEqual([
      ['DETAIL', 'Key (id)=(5) already exists.'],
      ['LOG', 'database system is ready to accept connections'],
    ]);
  });

  it('skips lines of other programs with a reason that names --pg-prefix, and a tab line with nothing before it', async () => {
    const text = [
      '\torphan continuation',
      'The files belonging to this database system will be owned by user "postgres".',
      '2026-02-07 19:21:03.000 UTC [9] LOG:  database system is ready to accept connections',
      'waiting for server to shut down.... done',
      '2026-02-07 19:21:05.000 UTC [9] LOG:  received fast shutdown request',
      '2026-02-07 19:21:06.000 UTC [9] LOG:  database system is shut down',
    ].join('\r\n');
    const { summary, events } = await readText(text);
    expect(summary.format).toBe('postgres');
    expect(summary.lines).toBe(6);
    expect(events).toHaveLength(3);
    expect(summary.skippedExamples.map((s) => s.line)).toEqual([1, 2, 4]);
    expect(summary.skippedExamples[0]!.reason).toMatch(/continuation line with no PostgreSQL record/);
    expect(summary.skippedExamples[1]!.reason).toMatch(/--pg-prefix/);
    expect(events[2]!.message).toBe('database system is shut down');
  });
});

describe('postgres stderr: --pg-prefix', () => {
  const cases: { prefix: string; line: string; expect: Record<string, unknown>; ts: number | null }[] = [
    {
      prefix: '%p %m %a ',
      line: '4242 2026-02-07 19:21:03.123 UTC psql LOG:  connection authorized: user=app database=app',
      expect: { pid: 4242, application: 'psql' },
      ts: Date.UTC(2026, 1, 7, 19, 21, 3, 123),
    },
    {
      prefix: "'%t [%p-%l] %q%u@%d '",
      line: '2026-02-07 19:21:03 CET [88-12] app@shop FATAL:  terminating connection due to idle-in-transaction timeout',
      expect: { pid: 88, user: 'app', database: 'shop' },
      ts: Date.UTC(2026, 1, 7, 18, 21, 3),
    },
    {
      prefix: '%t [%p-%l] %q%u@%d ',
      line: '2026-02-07 19:21:03 CET [1-1] LOG:  database system is ready to accept connections',
      expect: { pid: 1 },
      ts: Date.UTC(2026, 1, 7, 18, 21, 3),
    },
    {
      prefix: '%m|%u|%d|%c|%e|%r|',
      line: '2026-02-07 19:21:03.500 +03|bob|crm|65c3a1b2.1f4|40P01|10.0.0.7(51432)|ERROR:  deadlock detected',
      expect: { user: 'bob', database: 'crm', sessionId: '65c3a1b2.1f4', sqlstate: '40P01', client: '10.0.0.7' },
      ts: Date.UTC(2026, 1, 7, 16, 21, 3, 500),
    },
    {
      prefix: '%n [%p] %-10u %i: ',
      line: '1770492063.250 [9] alice      SELECT: WARNING:  there is no transaction in progress',
      expect: { pid: 9, user: 'alice' },
      ts: 1770492063250,
    },
    {
      prefix: 'db=%d,user=%u,app=%a,client=%h,pid=%p %% ',
      line: 'db=orders,user=[unknown],app=my app, v2,client=[local],pid=31 % LOG:  connection received: host=[local]',
      expect: { pid: 31, database: 'orders', application: 'my app, v2', client: '[local]' },
      ts: null,
    },
    { prefix: '', line: 'LOG:  checkpoint starting: time', expect: {}, ts: null },
  ];
  for (const c of cases) {
    it(`compiles '${c.prefix}' into one parser`, async () => {
      const p = compilePgPrefix(c.prefix);
      const pl = p.parse(c.line)!;
      expect(pl).not.toBeNull();
      expect(pl.ts).toBe(c.ts);
      expect(pl.fields).toMatchObject(c.expect);
      if (!('user' in c.expect)) expect(pl.fields.user).toBeUndefined();
      // Through readInput: sniffed as postgres because of --pg-prefix, every line read.
      const { summary, events } = await readText(`${c.line}\n${c.line}\n`, { pgPrefix: c.prefix });
      expect(summary.format).toBe('postgres');
      expect(summary.formatReason).toMatch(/--pg-prefix/);
      expect(events).toHaveLength(2);
      expect(events[0]!.message).toBe(pl.message);
    });
  }

  it('skips lines that do not match the given prefix, and joins continuation severities', async () => {
    const text = [
      '4242 2026-02-07 19:21:03.123 UTC psql ERROR:  relation "nope" does not exist at character 15',
      '4242 2026-02-07 19:21:03.123 UTC psql STATEMENT:  select * from nope;',
      '2026-02-07 19:21:03.123 UTC [4242] LOG:  a line written with another prefix',
    ].join('\n');
    const { summary, events } = await readText(text, { pgPrefix: '%p %m %a ', inputFormat: 'postgres' });
    expect(events).toHaveLength(1);
    expect(events[0]!.pg!.statement).toBe('select * from nope;');
    expect(summary.skipped).toBe(1);
  });

  it('compiles once into one sticky RegExp', () => {
    const p = compilePgPrefix('%m [%p] ');
    expect(p.regex.sticky).toBe(true);
    expect(p.regex.source.startsWith('(')).toBe(true);
  });
});

describe('postgres: time zones hindsight does not know', () => {
  it('reads the time as UTC and warns once per zone, for stderr, csvlog and jsonlog', async () => {
    const stderr = ['2026-02-07 19:21:03 XJT [5] LOG:  a', '2026-02-07 19:21:04 XJT [5] LOG:  b', '2026-02-07 19:21:05 UTC [5] LOG:  c'].join('\n');
    const s = await readText(stderr);
    expect(s.events.map((e) => e.ts)).toEqual([Date.UTC(2026, 1, 7, 19, 21, 3), Date.UTC(2026, 1, 7, 19, 21, 4), Date.UTC(2026, 1, 7, 19, 21, 5)]);
    expect(s.summary.warnings).toHaveLength(1);
    expect(s.summary.warnings[0]).toMatch(/time zone "XJT" \(first on line 1\).*read as UTC/);
    const csv = await readText('2026-02-07 19:21:03.000 XJT,"u","d",5,"[local]",65c3.5,1,"idle",2026-02-07 19:00:00 XJT,,0,LOG,00000,"a",,,,,,,,,"psql","client backend",,0\n');
    expect(csv.summary.format).toBe('postgres-csv');
    expect(csv.summary.warnings[0]).toMatch(/"XJT"/);
    const json = await readText('{"timestamp":"2026-02-07 19:21:03.000 XJT","pid":5,"error_severity":"LOG","message":"a"}\n');
    expect(json.summary.warnings[0]).toMatch(/"XJT"/);
    // Known zones and numeric offsets raise nothing.
    const ok = await readText('2026-02-07 19:21:03 NZDT [5] LOG:  a\n2026-02-07 19:21:03 +03 [5] ERROR:  b\n');
    expect(ok.summary.warnings).toEqual([]);
  });
});

describe('postgres: times without a zone', () => {
  it('reads a %m capture that ends in its fraction (no zone) without looping', () => {
    const p = compilePgPrefix('%m [%p] ');
    const pl = p.parse('2026-02-07 19:21:03.250 [5] LOG:  x')!;
    expect(pl.ts).toBe(Date.UTC(2026, 1, 7, 19, 21, 3, 250));
  });
});

describe('postgres: the holding window', () => {
  it('holds the records of 16 processes: a DETAIL joins across 15 others, and stays whole beyond', async () => {
    const lines: string[] = [];
    for (let p = 1; p <= 20; p++) lines.push(`2026-02-07 19:21:03.${String(p).padStart(3, '0')} UTC [${p}] ERROR:  error of process ${p}`);
    lines.push('2026-02-07 19:21:04.000 UTC [5] DETAIL:  detail of process 5'); // 15 processes later: joins
    lines.push('2026-02-07 19:21:04.001 UTC [1] DETAIL:  detail of process 1'); // evicted: its own record
    const { summary, events } = await readText(lines.join('\n'));
    expect(summary.skipped).toBe(0);
    expect(events.find((e) => e.message === 'error of process 5')!.pg!.detail).toBe('detail of process 5');
    expect(events.find((e) => e.message === 'error of process 1')!.pg!.detail).toBeUndefined();
    expect(events.filter((e) => e.levelText === 'DETAIL').map((e) => e.message)).toEqual(['detail of process 1']);
  });
});
