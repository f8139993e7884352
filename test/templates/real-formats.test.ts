// The real-format-string evaluation set (test/templates/eval/real-formats.ts) and its scorer:
// the scorer is checked on toy labellings whose GA and FGA are worked out by hand, the generator
// on the extracted format strings themselves (test/templates/formats/, from PostgreSQL 15's
// catalogue and the installed Python and Node libraries), and the miner's score on a slice of
// the set must not fall below the floor measured when the set was built.
import { describe, expect, it } from 'vitest';
import { groupScores } from './eval/metrics.js';
import { buildSource, isHeld, loadSources, parseFormat, type FormatRecord, type RealSystem } from './eval/real-formats.js';
import { scoreSystem } from './eval/score.js';

const rec = (format: string, style: FormatRecord['style'] = 'printf'): FormatRecord => ({ format, style, package: 'test', version: '0', file: 'test' });

describe('groupScores, on labellings worked out by hand', () => {
  it('scores a split group and a merged pair as wrong, exact groups as right', () => {
    // Truth: a a b b c. Predicted: a exact, b split in two, c exact.
    // GA = 3/5; 2 of 4 predicted groups correct, 2 of 3 true groups: FGA = 2·0.5·(2/3)/(0.5+2/3) = 4/7.
    const s = groupScores(['a', 'a', 'b', 'b', 'c'], [1, 1, 2, 3, 4]);
    expect(s.ga).toBeCloseTo(0.6, 10);
    expect(s.precision).toBeCloseTo(0.5, 10);
    expect(s.recall).toBeCloseTo(2 / 3, 10);
    expect(s.fga).toBeCloseTo(4 / 7, 10);
    // b and c merged: only a is right. GA = 2/5, precision 1/2, recall 1/3, FGA = 2/5.
    const m = groupScores(['a', 'a', 'b', 'b', 'c'], [1, 1, 2, 2, 2]);
    expect(m.ga).toBeCloseTo(0.4, 10);
    expect(m.fga).toBeCloseTo(0.4, 10);
    // The ids' values do not matter, only the partition.
    expect(groupScores(['x', 'y', 'x'], ['q', 'p', 'q']).ga).toBe(1);
  });
});

describe('format strings', () => {
  it('labels printf, Python-named and brace placeholders as variables and the rest as constant', () => {
    expect(parseFormat(rec('could not open file "%s": %m'))!.label).toBe('could not open file "<*>": <*>');
    expect(parseFormat(rec('checkpoint complete: wrote %d buffers (%.1f%%); %d WAL file(s) added'))!.label).toBe('checkpoint complete: wrote <*> buffers (<*>%); <*> WAL file(s) added');
    expect(parseFormat(rec('Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s'))!.label).toBe('Task <*>[<*>] succeeded in <*>s: <*>');
    expect(parseFormat(rec('Changed the default cluster node to {}', 'brace'))!.label).toBe('Changed the default cluster node to <*>');
    expect(parseFormat(rec('literal {{braces}} and {name!r:>10}', 'brace'))!.label).toBe('literal {braces} and <*>');
    // Logged without arguments, a % is text.
    expect(parseFormat(rec('100% done, %s left', 'literal'))!.label).toBe('100% done, %s left');
  });

  it('drops what is not one log line of its own: several lines, no word of its own', () => {
    expect(parseFormat(rec('\nOptions for single-user mode:\n'))!.label).toBe('Options for single-user mode:');
    expect(parseFormat(rec('first line\nsecond line %s'))).toBeNull();
    expect(parseFormat(rec('%s: %s'))).toBeNull();
    expect(parseFormat(rec('%s %s'))).toBeNull();
  });

  it('every source file holds format strings with their provenance', () => {
    const sources = loadSources();
    expect([...sources.keys()]).toEqual(expect.arrayContaining(['postgres', 'gunicorn', 'celery', 'sqlalchemy', 'django', 'uvicorn', 'redis-py', 'fastify', 'ioredis', 'bullmq', 'node-postgres', 'prisma']));
    for (const [name, records] of sources) {
      expect(records.length, name).toBeGreaterThan(10);
      for (const r of records) expect(r.package && r.version && r.file, `${name}: ${r.format}`).toBeTruthy();
    }
    // PostgreSQL's strings are the catalogue's msgids that a report call logs (errmsg, errdetail,
    // elog...), each with its site in the server's source: no GUC description or --help text.
    const pg = sources.get('postgres')!;
    expect(pg.length).toBeGreaterThan(4000);
    for (const r of pg) expect(/^src\/(backend|common|port)\/.+\.[cly]$/.test(r.file) && r.line! > 0, r.format).toBe(true);
  });
});

describe('the real-format-string set', () => {
  const sources = loadSources();
  // The slice the floor is measured on: every source but PostgreSQL whole, and the first two
  // systems of each PostgreSQL part.
  const slice: RealSystem[] = [];
  for (const [name, records] of sources) slice.push(...buildSource(name, records, name === 'postgres' ? 2 : Infinity));

  it('writes every message from its format: the label, with each <*> a value', () => {
    const wrong: string[] = [];
    let lines = 0;
    for (const sys of slice) {
      const pattern = new Map<string, RegExp>();
      sys.messages.forEach((m, i) => {
        const label = sys.labels[i]!;
        let re = pattern.get(label);
        if (!re) pattern.set(label, (re = new RegExp('^' + label.split('<*>').map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^]*') + '$')));
        if (!re.test(m)) wrong.push(`${sys.name}: ${m} / ${label}`);
        lines++;
      });
    }
    expect(wrong).toEqual([]);
    expect(lines).toBeGreaterThan(50_000);
  });

  it('keeps the held-aside part apart (one format in five) and the counts skewed', () => {
    const labelsOf = (part: string) => new Set(slice.filter((s) => s.part === part).flatMap((s) => s.labels));
    const held = labelsOf('held');
    for (const l of labelsOf('tune')) expect(held.has(l), l).toBe(false);
    const pg = sources.get('postgres')!;
    const share = pg.filter((r) => isHeld(r.format)).length / pg.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
    for (const sys of slice) {
      const counts = new Map<string, number>();
      for (const l of sys.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
      const c = [...counts.values()];
      expect(c.length, sys.name).toBe(sys.formats);
      if (sys.formats >= 30) {
        expect(Math.max(...c), sys.name).toBeGreaterThan(sys.messages.length / 10);
        expect(c.filter((n) => n <= 4).length, sys.name).toBeGreaterThan(3);
      }
    }
  });

  // Measured on this slice: when the set was built (miner of c44cfce) tuning part GA 0.698,
  // FGA 0.555, held-aside part GA 0.821, FGA 0.658; after issue 15's failure-class fixes (main at
  // 3dd92da) tuning GA 0.722, FGA 0.613, held-aside GA 0.832, FGA 0.718. The floors are the latter
  // minus 0.03: a guard against regressions, not a target (the target is GA 0.95 / FGA 0.90).
  // Without the catalogue's GUC descriptions (PostgreSQL's strings are its logged msgids since):
  // tuning GA 0.725, FGA 0.611, held-aside GA 0.841, FGA 0.719. After quoted values with spaces,
  // empty quoted values, dates without a time, paths with a space and printed objects (main at
  // 1464ae8): tuning GA 0.857, FGA 0.771, held-aside GA 0.910, FGA 0.821; the floors are these
  // minus 0.03. After issue 15's third round (empty values, quoted phrases, units, relative
  // paths, hex ids, quoted objects, lists): tuning GA 0.885, FGA 0.799, held-aside GA 0.971, FGA
  // 0.889; the floors are these minus 0.03.
  const FLOOR = { tune: { ga: 0.855, fga: 0.769 }, held: { ga: 0.941, fga: 0.859 } };

  // PostgreSQL 15's sysv_shmem.c writes a mode with C's %o; ioredis's `received notification %o` is util.format's
  it('fills %o with an octal number in C and Python, an object in Node', () => {
    const [c] = buildSource('t', [rec('Failed system call was shmget(key=%lu, size=%zu, 0%o).')], 1);
    for (const m of c!.messages) expect(m, m).toMatch(/ 0[0-7]+\)\.$/);
    const [js] = buildSource('t', [{ ...rec('received notification %o'), file: 'ioredis/built/x.js' }], 1);
    expect(js!.messages.some((m) => /[{[<]/.test(m))).toBe(true);
  });

  // redis-py 4.3's `startup_nodes : %s` (cluster.py) holds a list; a `Connected to %s` does not
  it('the list variant fills the slots named for a list with lists of several shapes, and only those', () => {
    const recs = [rec('startup_nodes : %s'), rec('Connected to %s')];
    const value = (sys: RealSystem, prefix: string) => sys.messages.filter((m) => m.startsWith(prefix)).map((m) => m.slice(prefix.length));
    const [lists] = buildSource('t', recs, 1, true);
    const nodes = value(lists!, 'startup_nodes : ');
    const several = nodes.filter((v) => /^\[.*\]$|, |,|\S \S/.test(v));
    expect(lists!.labels.filter((l) => l === 'startup_nodes : <*>').length).toBe(nodes.length);
    expect(several.length).toBeGreaterThan(nodes.length / 2);
    expect(new Set(several.map((v) => (v.startsWith('[ ') ? 'inspect' : v.startsWith('["') || /^\[\d+,\d/.test(v) ? 'json' : v.startsWith('[') ? 'repr' : v.includes(', ') ? 'comma-space' : v.includes(',') ? 'comma' : 'space'))).size).toBeGreaterThanOrEqual(5);
    // the set itself fills the slot with addresses (a list of items only by chance: an object)
    const [plain] = buildSource('t', recs, 1);
    const v = value(plain!, 'startup_nodes : ');
    expect(v.filter((x) => /^\[(?!:)|,/.test(x)).length).toBeLessThan(v.length / 5);
  });

  it('the miner does not fall below the floor on either part', () => {
    const scores = slice.map((sys) => ({ sys, s: scoreSystem(sys.messages, sys.labels) }));
    for (const part of ['tune', 'held'] as const) {
      // Averaged over sources, each the average of its systems, as npm run eval:templates does.
      const bySource = new Map<string, { ga: number; fga: number }[]>();
      for (const { sys, s } of scores) if (sys.part === part) (bySource.get(sys.source) ?? bySource.set(sys.source, []).get(sys.source)!).push(s);
      const avg = (f: (s: { ga: number; fga: number }) => number) =>
        [...bySource.values()].reduce((a, xs) => a + xs.reduce((b, x) => b + f(x), 0) / xs.length, 0) / bySource.size;
      const ga = avg((s) => s.ga);
      const fga = avg((s) => s.fga);
      console.log(`real-format-string slice, ${part} part: GA ${ga.toFixed(3)} FGA ${fga.toFixed(3)}`);
      expect(ga).toBeGreaterThanOrEqual(FLOOR[part].ga);
      expect(fga).toBeGreaterThanOrEqual(FLOOR[part].fga);
    }
  });
});
