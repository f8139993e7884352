import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../src/templates/miner.js';
import { maskMessage, hasEmptyTail, maskHash, hashShape } from '../../src/templates/mask.js';

function mine(msgs: string[], opts = {}) {
  const m = new TemplateMiner(opts);
  const ids = msgs.map((x) => m.add('svc', x));
  const fin = m.finalize();
  return { m, fin, text: (i: number) => fin.templates[fin.idOf(ids[i]!)]!.text, id: (i: number) => fin.idOf(ids[i]!) };
}

describe('masker', () => {
  it('masks numbers, ips, ports, durations, uuids, paths, urls, emails, key=value values', () => {
    expect(maskMessage('took 123ms from 10.0.0.1:5432 id 6f1c2a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6 at /api/v1/x')).toBe('took <*> from <*> id <*> at <*>');
    expect(maskMessage('mail bob@example.com via https://x.io/a user=alice msg="two words" done')).toBe('mail <*> via <*> user=<*> msg="two words" done');
    expect(maskMessage('err="dial tcp: refused" retry=3')).toBe('err=<*> retry=<*>');
    expect(maskMessage('Failed password for root port 22 ssh2')).toBe('Failed password for root port <*> ssh2');
  });
  it('hashes shapes without building them, consistently with the text', () => {
    for (const s of ['a 1 b', 'x=1 y="a b" z', '{"error":"","n":5}', '']) expect(maskHash(s, 7)).toBe(hashShape(maskMessage(s), 7));
  });
  it('sees empty tails', () => {
    expect(hasEmptyTail('Materialization loop error: ')).toBe(true);
    expect(hasEmptyTail('Materialization loop error: TimeoutError()')).toBe(false);
    expect(hasEmptyTail('{"level":"error","error":""}')).toBe(true);
    expect(hasEmptyTail('key=')).toBe(true);
  });
});

describe('TemplateMiner', () => {
  it('gives the same templates with or without its message cache, across cache and doorkeeper resets', () => {
    // 150,000 messages: repeated ones (cached from their second sighting) among ids that never
    // repeat (enough distinct ones to reset the doorkeeper and fill the cache several times).
    const msgs: string[] = [];
    for (let i = 0; i < 150_000; i++) {
      if (i % 3 === 0) msgs.push(`GET /health 200 in ${i % 5}ms`);
      else if (i % 3 === 1) msgs.push(`order ${i} shipped to warehouse ${i % 11}`);
      else msgs.push(`cache ${i % 2 === 0 ? 'hit' : 'miss'} for key user:${i % 20_000}`);
    }
    const cached = mine(msgs);
    const uncached = mine(msgs, { cacheSize: 0 });
    expect(cached.fin.templates.map((t) => t.text)).toEqual(uncached.fin.templates.map((t) => t.text));
    for (let i = 0; i < msgs.length; i += 997) expect(cached.text(i)).toBe(uncached.text(i));
    expect(cached.fin.templates.map((t) => cached.m.count(t.id))).toEqual(uncached.fin.templates.map((t) => uncached.m.count(t.id)));
  });

  it('keeps an empty variable tail apart from a filled one', () => {
    const r = mine(['Loop error: ', 'Loop error: TimeoutError()', 'Loop error: ']);
    expect(r.id(0)).toBe(r.id(2));
    expect(r.id(0)).not.toBe(r.id(1));
    expect(r.fin.templates[r.id(0)]!.emptyTail).toBe(true);
  });
  it('keeps frequent near-identical events apart and merges word variables', () => {
    const msgs: string[] = [];
    for (let i = 0; i < 30; i++) msgs.push(`VM Started on host alpha`, `VM Paused on host alpha`);
    const users = ['root', 'admin', 'oracle', 'guest', 'test', 'pi'];
    for (let i = 0; i < 30; i++) msgs.push(`Invalid user ${users[i % users.length]} from 10.0.0.${i}`);
    msgs.push('Invalid user john smith from 10.0.0.9');
    const r = mine(msgs);
    expect(r.id(0)).not.toBe(r.id(1));
    expect(r.text(60)).toBe('Invalid user <*> from <*>');
    expect(r.id(msgs.length - 1)).toBe(r.id(60));
  });
  it('is deterministic: same input, same ids and texts', () => {
    const msgs = Array.from({ length: 500 }, (_, i) => [`job ${i % 7} done in ${i}ms`, `user u${i % 50} logged in`, `cache miss for key k${i}`][i % 3]!);
    const a = mine(msgs);
    const b = mine(msgs);
    expect(a.fin.templates).toEqual(b.fin.templates);
    expect(msgs.map((_, i) => a.id(i))).toEqual(msgs.map((_, i) => b.id(i)));
  });
  it('caps templates and counts the overflow', () => {
    const m = new TemplateMiner({ maxTemplates: 3 });
    const words = ['alpha one', 'bravo two', 'charlie three', 'delta four', 'echo five'];
    for (const w of words) m.add('svc', `${w} happened`);
    expect(m.overflowCount).toBe(2);
    expect(m.finalize().templates.some((t) => t.text.startsWith('<overflow'))).toBe(true);
  });
  it('extracts parameters', () => {
    const m = new TemplateMiner();
    const id = m.add('svc', 'Request failed: GET /dashboard in 12 ms');
    // a unit belongs to its number's variable
    expect(m.params(id, 'Request failed: GET /dashboard in 12 ms')).toEqual(['/dashboard', '12 ms']);
  });
  it('templates PostgreSQL statements with pgBadger normalisation', () => {
    const m = new TemplateMiner();
    const a = m.add('db', 'duration: 1.5 ms  statement: SELECT * FROM t WHERE id = 5', 'postgres');
    const b = m.add('db', 'duration: 20.1 ms  statement: select *   from t where id = 7 -- x', 'postgres');
    expect(a).toBe(b);
    expect(m.template(a).text).toBe('duration: <*> statement: select * from t where id = <*>');
  });
  it('keeps distinct SQL statements apart (no word merging inside normalised SQL)', () => {
    const m = new TemplateMiner();
    const tables = ['users', 'orders', 'sessions', 'invoices', 'events', 'accounts', 'audit_log', 'tasks', 'teams'];
    const ids = tables.map((t, i) => m.add('db', `duration: ${i}.5 ms  statement: SELECT * FROM ${t} WHERE id = ${i}`, 'postgres'));
    const fin = m.finalize();
    expect(new Set(ids.map((id) => fin.idOf(id))).size).toBe(tables.length);
  });
  it('keeps templates per service', () => {
    const m = new TemplateMiner();
    expect(m.add('a', 'started')).not.toBe(m.add('b', 'started'));
  });
});

describe('maskHash', () => {
  it('equals the hash of the built shape on varied random messages', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const parts = ['word', 'Word,', '12', '1.5.', '3.', 'x=1', 'k="a b"', '(9)', '[x]', 'ab12', 'deadbeefdeadbeefcafe', '/p/1', 'a@b.c', "'q'", '"', ':', '-5', '12:30', 'ssh2', 'fn(3)', '{"a":1}', 'é', '  ', 'done.'];
    for (let n = 0; n < 2000; n++) {
      const len = 1 + Math.floor(rnd() * 8);
      const msg = Array.from({ length: len }, () => parts[Math.floor(rnd() * parts.length)]).join(rnd() < 0.8 ? ' ' : '  ');
      expect(maskHash(msg, 3), msg).toBe(hashShape(maskMessage(msg), 3));
    }
  });
});
