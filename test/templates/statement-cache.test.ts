import { describe, expect, it } from 'vitest';
import { StatementCache, normalizeSql } from '../../src/templates/sql-normalize.js';

/** A StatementCache over normalizeSql that counts how often it really normalised. */
function counting() {
  let calls = 0;
  const cache = new StatementCache((sql) => {
    calls++;
    return normalizeSql(sql);
  });
  return { cache, calls: () => calls };
}

describe('StatementCache', () => {
  it('normalises a repeated text once it has been seen twice, with the same result', () => {
    const { cache, calls } = counting();
    const sql = 'SELECT tasks.id, tasks.title FROM tasks WHERE tasks.project_id = $1 ORDER BY tasks.created_at DESC LIMIT $2';
    const expected = normalizeSql(sql);
    for (let i = 0; i < 10; i++) expect(cache.get(sql)).toBe(expected);
    // the first sighting only marks it; the second admits it; the eight after are lookups
    expect(calls()).toBe(2);
  });

  it('keeps answering correctly past its bound, and does not cache very long statements', () => {
    const { cache, calls } = counting();
    let wrong = 0;
    for (let round = 0; round < 3; round++) for (let i = 0; i < 4500; i++) if (cache.get(`select * from t${i} where id = ${i}`) !== `select * from t${i} where id = ?`) wrong++;
    expect(wrong).toBe(0);
    // 4,500 texts do not fit in 4,096 entries: the cache was cleared, and most came back to be normalised a third time
    expect(calls()).toBeGreaterThan(4500 * 2.5);
    const long = `select ${'a, '.repeat(3000)}b from t where x = 1`;
    const before = calls();
    for (let i = 0; i < 3; i++) expect(cache.get(long)).toBe(normalizeSql(long));
    expect(calls() - before).toBe(3);
  });
});
