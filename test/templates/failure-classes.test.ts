// The failure classes of ../shared/guide/templating-gaps.md, each with the guard against
// over-merging it names. Message shapes are real programs' formats: OpenSSH's auth.c and
// session.c, PostgreSQL 15's xlog.c (LogCheckpointStart) and postgres.c (log_duration), Hadoop's
// ipc.Client, Redis 7's rdb.c, Proxifier's connection-close line, HealthApp's step callbacks (the
// two last as published in Loghub).
import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../src/templates/miner.js';
import { maskMessage, maskHash, hashShape } from '../../src/templates/mask.js';

function mine(msgs: string[]) {
  const m = new TemplateMiner();
  const ids = msgs.map((x) => m.add('svc', x));
  const fin = m.finalize();
  return { id: (i: number) => fin.idOf(ids[i]!), text: (i: number) => fin.templates[fin.idOf(ids[i]!)]!.text, count: fin.templates.length };
}

const ip = (i: number) => `10.0.${i % 7}.${(i * 13) % 250}`;
const USERS = ['root', 'admin', 'oracle', 'guest', 'deploy', 'pi'];

/** Masking and hashing agree (the hot path never builds the shape). */
function shape(msg: string): string {
  const s = maskMessage(msg);
  expect(maskHash(msg, 11), msg).toBe(hashShape(s, 11));
  return s;
}

describe('a rare alternative word is its own event (class 1)', () => {
  it('keeps two words at one position apart, whatever their counts', () => {
    const msgs = Array.from({ length: 30 }, () => 'checkpoint starting: time');
    msgs.push('checkpoint starting: wal');
    const r = mine(msgs);
    expect(r.id(0)).not.toBe(r.id(30));
  });
  it('guard: a genuine two-valued variable stays split in two; more values make a variable', () => {
    const two = Array.from({ length: 40 }, (_, i) => `Accepted publickey for ${USERS[i % 2]} from ${ip(i)} port ${50000 + i} ssh2`);
    const r2 = mine(two);
    expect(r2.id(0)).not.toBe(r2.id(1));
    const six = Array.from({ length: 60 }, (_, i) => `Accepted publickey for ${USERS[i % 6]} from ${ip(i)} port ${50000 + i} ssh2`);
    const r6 = mine(six);
    expect(r6.count).toBe(1);
    expect(r6.text(0)).toBe('Accepted publickey for <*> from <*> port <*> ssh2');
  });
  it('guard: a variable does not absorb a longer template that is common itself', () => {
    const msgs: string[] = [];
    for (let i = 0; i < 100; i++) msgs.push(`Failed password for ${USERS[i % 6]} from ${ip(i)} port ${40000 + i} ssh2`);
    for (let i = 0; i < 30; i++) msgs.push(`Failed password for invalid user ${USERS[i % 6]} from ${ip(i)} port ${40000 + i} ssh2`);
    const r = mine(msgs);
    expect(r.id(0)).not.toBe(r.id(100));
    expect(r.text(100)).toBe('Failed password for invalid user <*> from <*> port <*> ssh2');
    // a rare longer form (2 in 100) is absorbed, as before
    const rare = mine(msgs.slice(0, 102));
    expect(rare.id(100)).toBe(rare.id(0));
  });
});

describe('units, size annotations and comparators belong to the number (class 2)', () => {
  it('masks a unit after a number with the number', () => {
    expect(shape('duration: 0.523 ms  statement: SELECT 1')).toBe('duration: <*> statement: SELECT <*>');
    expect(shape('RDB: 0 MB of memory used by copy-on-write')).toBe('RDB: <*> of memory used by copy-on-write');
    expect(shape('RDB: 12 MB, done')).toBe('RDB: <*>, done');
    expect(shape('took 1.2 s')).toBe(shape('took 1.3 secs'));
    expect(shape('sent 40 bytes in <1 ms')).toBe('sent <*> in <*>');
    expect(shape('retry when lag >=5 s')).toBe('retry when lag <*>');
  });
  it('takes an optional parenthesised size into the variable before it', () => {
    const a = 'chrome.exe - www.example.com:443 close, 1390 bytes (1.35 KB) sent, 5284 bytes (5.16 KB) received, lifetime 00:03';
    const b = 'chrome.exe - www.example.com:443 close, 390 bytes sent, 284 bytes received, lifetime <1 sec';
    expect(shape(a)).toBe(shape(b));
    expect(shape(a)).toBe('chrome.exe - <*> close, <*> sent, <*> received, lifetime <*>');
  });
  it('guard: a unit word is a unit only right after a number; a parenthesised size only after a variable', () => {
    expect(shape('min and max reached')).toBe('min and max reached');
    expect(shape('checkpoint complete: wrote 3 buffers (0.0%); 0 WAL file(s) added')).toBe('checkpoint complete: wrote <*> buffers (<*>); <*> WAL file(s) added');
  });
});

describe('dates in words and empty brackets (class 3)', () => {
  it('masks a date in words as one variable', () => {
    expect(shape('Last login: Tue Mar  4 10:20:11 2025 from 10.0.4.8')).toBe('Last login: <*> from <*>');
    expect(shape('Last login: Mon Mar 3 09:15:02 2025 from 10.0.4.7')).toBe('Last login: <*> from <*>');
    expect(shape('agent ready (built: Fri Feb 7 18:02:14 UTC 2025)')).toBe('agent ready (built: <*>)');
    expect(shape('Date: Mon, 03 Mar 2025 09:15:02 GMT')).toBe('Date: <*>');
    // a zone after a masked time, and a date without a time (`%b %d, %Y`), as gunicorn's
    // `Worker reloading: %s modified` writes them with a date in its slot
    expect(shape('Worker reloading: 2025-11-03 00:15:56.553 UTC modified')).toBe('Worker reloading: <*> modified');
    expect(shape('Worker reloading: Apr 5, 2020 modified')).toBe('Worker reloading: <*> modified');
    expect(shape('Created session Dec 1, 2019.')).toBe('Created session <*>.');
  });
  it('guard: month and weekday names outside dates are untouched', () => {
    expect(shape('release planned for May 2025')).toBe('release planned for May <*>');
    expect(shape('May I help')).toBe('May I help');
    expect(shape('Sun Microsystems JVM 12')).toBe('Sun Microsystems JVM <*>');
    expect(shape('held since May 5 restarts')).toBe('held since May <*> restarts');
    expect(shape('UTC offset is 60 minutes')).toBe('UTC offset is <*>');
  });
  it('an empty () or [] inside a message is an empty value; at the end it stays', () => {
    expect(shape('session from 10.0.4.7 () at 10:00')).toBe(shape('session from 10.0.4.8 (laptop-42.corp) at 10:00'));
    expect(shape('workers [] started')).toBe('workers [<*>] started');
    expect(shape('queue contents: []')).toBe('queue contents: []');
  });
  // PostgreSQL 15's `index "%s" is not valid` (indexcmds.c) and `role "%s" does not exist` with
  // an empty name (`SET ROLE ""` writes it)
  it('an empty quoted value is a value of its slot', () => {
    expect(shape('index "" is not valid')).toBe(shape('index "users_pkey" is not valid'));
    expect(shape('invalidly formatted response from Ident server: ""')).toBe('invalidly formatted response from Ident server: "<*>"');
  });
  it("guard: an empty error or message field stays apart (the empty-tail rule)", () => {
    expect(shape('request failed: {"status": 500, "error": ""}')).toBe('request failed: {"status": <*>, "error": ""}');
    expect(shape("job done, reason: ''")).toBe("job done, reason: ''");
  });
});

describe('one slot of different shapes (class 4)', () => {
  it('a variable in punctuation covers a partly variable token in the same punctuation', () => {
    const msgs: string[] = [];
    for (let i = 0; i < 20; i++) msgs.push(`Retrying connect to server: ${ip(i)}:8030. Already tried ${i % 10} time(s); maxRetries=10`);
    msgs.push('Retrying connect to server: localhost:8030. Already tried 0 time(s); maxRetries=10');
    const r = mine(msgs);
    expect(r.id(20)).toBe(r.id(0));
  });
  // PostgreSQL 15's `invalid CIDR mask in address "%s"` (hba.c): an IPv6 address in brackets
  it('a quoted variable covers a quoted partly variable token: same punctuation, another shape', () => {
    const msgs = Array.from({ length: 20 }, (_, i) => `invalid CIDR mask in address "${ip(i)}"`);
    msgs.push('invalid CIDR mask in address "[::1]:5432"');
    const r = mine(msgs);
    expect(r.id(20)).toBe(r.id(0));
    expect(r.text(0)).toBe('invalid CIDR mask in address "<*>"');
    // guard: an empty quoted value is a value, but a quoted variable never takes an empty JSON error
    const e = mine([...Array.from({ length: 20 }, (_, i) => `job failed: "error": "code ${i}"`), 'job failed: "error": ""']);
    expect(e.id(20)).not.toBe(e.id(0));
  });
  it("closing brackets of a key=value's value belong to it; a path's = is not a key", () => {
    expect(shape('job queued: owner=svc, meta=Meta{42}, id=7')).toBe(shape('job queued: owner=svc, meta=null, id=8'));
    expect(shape('session opened (uid=0)')).toBe('session opened (uid=<*>)');
    expect(shape('copied to /backups/[2025-03-04]=daily.tar')).toBe('copied to <*>');
  });
});

describe('a quoted value with spaces is one value (class 4)', () => {
  // PostgreSQL 15's `relation "%s" does not exist` (parse_relation.c) and `could not open file
  // "%s": %m` (fd.c) with a quoted identifier and a path that hold a space; Celery's
  // `Setting default socket timeout to %r` (Python's repr of a string quotes it); nginx's combined
  // access log line.
  it('masks a quoted name, phrase, size or path that spans spaces as one value', () => {
    expect(shape('relation "Order Items" does not exist')).toBe(shape('relation "users" does not exist'));
    expect(shape('relation "Order Items" does not exist')).toBe('relation "<*>" does not exist');
    expect(shape('could not open file "/srv/app/My Settings/app.yaml": Permission denied')).toBe('could not open file "<*>": Permission denied');
    expect(shape("Setting default socket timeout to '30.5 s'")).toBe(shape("Setting default socket timeout to '30'"));
    // a quoted value before `: ` is a value too (a JSON key comes after `{` or `,`: Python's json.dumps)
    expect(shape('could not open file "base": No such file or directory')).toBe('could not open file "<*>": No such file or directory');
    expect(shape('{"level": "error", "msg": "disk went away"}')).toBe('{"level": "<*>", "msg": "<*>"}');
    const r = mine([...Array.from({ length: 30 }, (_, i) => `relation "t${i}_items" does not exist`), 'relation "Order Items" does not exist']);
    expect(r.count).toBe(1);
  });
  // PostgreSQL 15's `relation "%s" does not exist` with a table created as "Invoices 2024", and
  // `conversion "%s" already exists` (catalog/pg_conversion.c) with a redis-py error text in it
  it('masks a quoted text that starts with a word and holds a variable as one value', () => {
    expect(shape('relation "Invoices 2024" does not exist')).toBe('relation "<*>" does not exist');
    expect(shape('conversion "MOVED 3999 127.0.0.1:6381" already exists')).toBe('conversion "<*>" already exists');
    expect(shape('conversion "Error 111 connecting to localhost:6379. Connection refused." already exists')).toBe('conversion "<*>" already exists');
  });
  // uvicorn 0.17's access lines `%s - "%s %s HTTP/%s" %d` and `%s - "WebSocket %s" %s`
  it('guard: a request line (a word, then a path or a URL) keeps its words; an apostrophe closes nothing', () => {
    expect(shape('127.0.0.1:51324 - "WebSocket /ws/notifications" 403')).toBe('<*> - "WebSocket <*>" <*>');
    expect(shape('proxy sent "CONNECT http://api.example.com:443/ HTTP/1.1"')).toBe('proxy sent "CONNECT <*> <*>"');
    expect(shape('10.0.0.7 - - [04/Mar/2025:10:20:11 +0000] "GET /api/v1/tasks HTTP/1.1" 200 512 "-" "curl/8.1.2"')).toBe('<*> - - [<*> <*>] "GET <*> <*>" <*> "<*>" "<*>"');
    expect(shape('10.0.0.7 - - [04/Mar/2025:10:20:11 +0000] "POST /api/v1/tasks HTTP/1.1" 200 512 "-" "curl/8.1.2"')).toBe('<*> - - [<*> <*>] "POST <*> <*>" <*> "<*>" "<*>"');
    expect(shape("invalid value 'off, it can't be' here")).toBe("invalid value '<*>' here");
    expect(shape("role 'admin can't login")).toBe("role 'admin can't login");
  });
});

describe('a path with a space is one value (class 4)', () => {
  // gunicorn's `Ignored premature client disconnection. %s` and PostgreSQL 15's `removing file %s`
  // style slots with an unquoted path that holds a space
  it('joins the pieces of a path after a space to the path', () => {
    expect(shape('Ignored premature client disconnection. /tmp/celery worker.pid')).toBe('Ignored premature client disconnection. <*>');
    expect(shape('default ACL on /srv/app/My Settings/app.yaml does not exist')).toBe('default ACL on <*> does not exist');
    expect(shape('default ACL on /srv/app/My Settings/app.yaml does not exist')).toBe(shape('default ACL on /srv/app.yaml does not exist'));
    // a relative path is a path too (Django's `Watching dir %s with glob %s.` with ./config)
    expect(shape('Watching dir ./config/settings.py with glob *.py.')).toBe('Watching dir <*> with glob *.py.');
    expect(shape('Watching dir ../app/My Settings/x.yaml with glob *.py.')).toBe('Watching dir <*> with glob *.py.');
  });
  it('guard: a word or a file name after a word after the path stays', () => {
    expect(shape('copied /tmp/a to backup.tar')).toBe('copied <*> to backup.tar');
    expect(shape('opened /var/log/app.log for writing')).toBe('opened <*> for writing');
    expect(shape('served /index.html via nginx.conf')).toBe('served <*> via nginx.conf');
    expect(shape('waiting ... listing ./ and ~/')).toBe('waiting ... listing ./ and ~/');
  });
});

describe('an object printed in a message is one value (class 4)', () => {
  // Prisma's `Cannot serialize value of type ${...} as Json` with Node's util.inspect of an object
  // or an array, and kombu's `Connected to %r` with a Python repr
  it('masks util.inspect objects and arrays and Python reprs as one value', () => {
    const t = 'Cannot serialize value of type <*> as Json';
    expect(shape("Cannot serialize value of type { id: 7, name: 'celery' } as Json")).toBe(t);
    expect(shape("Cannot serialize value of type [ 'users', 42 ] as Json")).toBe(t);
    expect(shape('Cannot serialize value of type <Request 76a342> as Json')).toBe(t);
    expect(shape('Connected to <Connection(host=db.internal,port=6379,db=0)>.')).toBe('Connected to <*>.');
  });
  it('guard: a message that is an object, a bracketed tag and a lower-case <name> stay as they were', () => {
    expect(shape('{ id: 7 } saved')).toBe('{ id: <*> } saved');
    expect(shape('[ERROR] worker [ closed')).toBe('[ERROR] worker [ closed');
    expect(shape('at Foo.<init> (Foo.java:12)')).toBe('at Foo.<init> (<*>)');
  });
});

describe('labels glued to values (class 5)', () => {
  it('keeps the key of key:value and a name glued to a long number', () => {
    expect(shape('onExtend:1501234567 0 0 4')).toBe('onExtend:<*> <*>');
    expect(shape('cancelNotification,index:3')).toBe('cancelNotification,index:<*>');
    expect(shape('syncSteps1501234567890|12|0|0')).toBe('syncSteps<*>');
    expect(shape('handle_write.434 error 22')).toBe('handle_write.<*> error <*>');
  });
  it('guard: host:port is one variable; hex ids and word+short-number names stay as they were', () => {
    expect(shape('connect db1:5432 api.internal:8443 10.0.0.1:5432 ip-10-0-3-17:6379')).toBe('connect <*>');
    expect(shape('id deadbeef1234567 via ssh2 on eth0 blk_1234567')).toBe('id <*> via ssh2 on eth0 <*>');
  });
});

describe('two spaces between words are an empty value (class 3)', () => {
  // PostgreSQL 15's `cannot execute %s within a background process` (tcop/utility.c) and `cast from
  // type %s to type %s already exists` (catalog/pg_cast.c) when a %s printed the empty string
  it('masks an empty unquoted value between words as the slot', () => {
    expect(shape('cannot execute  within a background process')).toBe('cannot execute <*> within a background process');
    expect(shape('cast from type  to type integer already exists')).toBe('cast from type <*> to type integer already exists');
    const r = mine([...Array.from({ length: 30 }, (_, i) => `cannot execute ${['VACUUM', 'CLUSTER', 'REINDEX', 'ANALYZE', 'DISCARD', 'CHECKPOINT'][i % 6]} within a background process`), 'cannot execute  within a background process']);
    expect(r.count).toBe(1);
    expect(r.text(30)).toBe('cannot execute <*> within a background process');
  });
  // psycopg2's message with libpq's `FATAL:  sorry, too many clients already` (samples/whendoist),
  // two spaces after a sentence (PostgreSQL 15's hints), and columns aligned by padding
  it('guard: two spaces after a colon or a full stop, and three or more, are not a value', () => {
    expect(shape('connection failed: FATAL:  sorry, too many clients already')).toBe('connection failed: FATAL: sorry, too many clients already');
    expect(shape('Check free disk space.  If you intend to run it')).toBe('Check free disk space. If you intend to run it');
    expect(shape('INFO     worker started')).toBe('INFO worker started');
    expect(shape('duration: 0.523 ms  statement: SELECT 1')).toBe('duration: <*> statement: SELECT <*>');
  });
});

describe('more units, and a unit after a partly variable token (class 2)', () => {
  // Celery 5.2.6's `beat: Waking up %s.` with humanize_seconds (celery/utils/time.py), run with
  // Debian's python3: every unit it writes, singular and plural
  it('masks time units in hours, singular or plural, with their number', () => {
    const t = 'beat: Waking up in <*>.';
    for (const v of ['2.00 hours', '5.00 minutes', '1.00 second', '5.50 seconds', '1.00 hour']) expect(shape(`beat: Waking up in ${v}.`)).toBe(t);
  });
  // samples/whendoist's cleanup job (`older than %d days`): a count of days in a format
  it('guard: days are a word, a unit only with a bracketed plural', () => {
    expect(shape('Cleaned up 3 task instances older than 90 days')).toBe('Cleaned up <*> task instances older than <*> days');
    expect(shape('certificate expires in 3 day(s)')).toBe('certificate expires in <*>');
  });
  // AddressSanitizer's `Sleeping for %d second(s)` (the format string in Debian's libasan.so.8)
  it('masks a unit with its plural in brackets', () => {
    expect(shape('==4711==Sleeping for 5 second(s)')).toBe('<*> for <*>');
    expect(shape('Sleeping for 5 second(s)')).toBe('Sleeping for <*>');
  });
  // PostgreSQL 15's LogCheckpointEnd, as Supabase logged it (test/fixtures/postgres-hosted/supabase.jsonl)
  it('takes a unit after key=number into the value', () => {
    expect(shape('checkpoint complete: wrote 932 buffers (5.7%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.019 s, sync=0.001 s, total=0.020 s; sync files=0, longest=0.000 s, average=0.000 s; distance=4265 kB, estimate=4265 kB'))
      .toBe('checkpoint complete: wrote <*> buffers (<*>); <*> WAL file(s) added, <*> removed, <*> recycled; write=<*>, sync=<*>, total=<*>; sync files=<*>, longest=<*>, average=<*>; distance=<*>, estimate=<*>');
  });
  it('guard: a counted noun with a plural in brackets is not a unit; a unit word alone stays', () => {
    expect(shape('removed 3 file(s) from the archive')).toBe('removed <*> file(s) from the archive');
    expect(shape('day and hour columns')).toBe('day and hour columns');
  });
});

describe('a relative path without ./ is a value (class 4)', () => {
  // GNU tar 1.34 (Debian), `tar cf /dev/null global/pg_control src/app/main.ts a/b/c` run here
  it('masks a relative path of names with file-name characters, or of three names', () => {
    const t = 'tar: <*>: Cannot stat: No such file or directory';
    for (const p of ['global/pg_control', 'src/app/main.ts', 'a/b/c']) expect(shape(`tar: ${p}: Cannot stat: No such file or directory`)).toBe(t);
  });
  it('guard: two plain words with a slash stay', () => {
    expect(shape('opened read/write over TCP/IP, N/A')).toBe('opened read/write over TCP/IP, N/A');
  });
});

describe('a hex id is not a word with a number (class 5)', () => {
  // git 2.39 (Debian), `git reset --hard HEAD` in a scratch repository whose short hash happened
  // to be letters then digits
  it('masks 7 or more hex digits that end in a digit', () => {
    expect(shape('HEAD is now at dfded24 deploy 371')).toBe('HEAD is now at <*> deploy <*>');
  });
  it('guard: a word with a short number stays', () => {
    expect(shape('link on eth0 via ssh2, SOCKS5, IPv4, face1')).toBe('link on eth0 via ssh2, SOCKS5, IPv4, face1');
  });
});

describe('a quoted value that holds an object or a quoted value is one value (class 4)', () => {
  // PostgreSQL 15's `relation "%s" does not exist` with a value printed by util.inspect or a Python
  // repr, and `conversion "%s" already exists` (catalog/pg_conversion.c) with PostgreSQL's own
  // error text in it, which quotes the value it rejects
  it('masks a quoted object and a quoted text with a quoted value inside as one value', () => {
    const t = 'relation "<*>" does not exist';
    expect(shape("relation \"{ id: 7, name: 'celery' }\" does not exist")).toBe(t);
    expect(shape('relation "<Request 76a342>" does not exist')).toBe(t);
    expect(shape('relation "[ \'users\', 42 ]" does not exist')).toBe(t);
    expect(shape('conversion "invalid input syntax for type integer: "abc"" already exists')).toBe('conversion "<*>" already exists');
    expect(shape('conversion "value "abc" rejected by check" already exists')).toBe('conversion "<*>" already exists');
    // one token in quotes, with brackets inside: kombu's repr of a connection in a quoted slot
    expect(shape('relation "<Connection(host=db.internal,port=6379,db=0)>" does not exist')).toBe(t);
    expect(shape('"<Connection(host=db.internal,port=6379,db=0)>" is a procedure.')).toBe('"<*>" is a procedure.');
  });
  it('guard: a quote that opens a token and is not closed keeps the tokens apart', () => {
    expect(shape('unterminated "abc and "def here')).toBe('unterminated "abc and "def here');
  });
});

describe('a list printed in a message is one value (class 7)', () => {
  // SQLAlchemy 1.4's `%s local columns %s` (orm/relationships.py), with Python's repr of a list of
  // columns, and redis-py 4.3's `startup_nodes : %s` (cluster.py)
  it('masks a bracketed list of any length as one value, brackets kept', () => {
    expect(shape("users local columns ['id', 'email', 'org_id']")).toBe('users local columns [<*>]');
    expect(shape('users local columns [7, 12]')).toBe('users local columns [<*>]');
    expect(shape('users local columns [7]')).toBe('users local columns [<*>]');
    const r = mine([
      ...Array.from({ length: 20 }, (_, i) => `startup_nodes : [${Array.from({ length: 1 + (i % 4) }, (_, k) => `'10.0.0.${k + i}:6379'`).join(', ')}]`),
      "startup_nodes : ['redis-a:6379']",
    ]);
    expect(r.count).toBe(1);
  });
  it('guard: a bracketed tag or an address in brackets is not a list', () => {
    expect(shape('[ERROR], worker stopped')).toBe('[ERROR], worker stopped');
    expect(shape('listening on [::1]:5432, [::2]:5432 now')).toBe('listening on [<*>, [<*> now');
  });
});
