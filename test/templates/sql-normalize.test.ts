import { describe, expect, it } from 'vitest';
import { normalizeSql } from '../../src/templates/sql-normalize.js';

describe('normalizeSql', () => {
  it('replaces literals and bind parameters, lowercases, folds whitespace', () => {
    expect(normalizeSql("SELECT *\n  FROM Users\tWHERE id = 42 AND email = 'a@b.c' AND k = $3")).toBe('select * from users where id = ? and email = ? and k = ?');
  });
  it('collapses IN lists, VALUES rows and arrays of literals', () => {
    expect(normalizeSql("select 1 from t where x in (1, 2, 3) or y IN ('a','b')")).toBe('select ? from t where x in (...) or y in (...)');
    expect(normalizeSql("insert into t (a, b) values (1, 'x'), (2, 'y')")).toBe(normalizeSql("INSERT INTO t (a, b) VALUES (7, 'z')"));
    expect(normalizeSql('select * from t where id = any(ARRAY[4,5])')).toBe('select * from t where id = any(array[...])');
  });
  it('keeps subqueries inside IN', () => {
    expect(normalizeSql('select a from t where a in (select b from c where d = 3)')).toBe('select a from t where a in (select b from c where d = ?)');
  });
  it('strips comments, nested ones too', () => {
    expect(normalizeSql('/* app:web /* nested */ */ select 1 -- trailing\n from t')).toBe('select ? from t');
  });
  it('handles escaped, E-, dollar-quoted and hex literals, negative numbers, = NULL', () => {
    expect(normalizeSql("update t set v = E'it\\'s', w = 'o''k', b = $tag$x'y$tag$ where k = 0x1F and n = -5 and z = NULL")).toBe('update t set v = ?, w = ?, b = ? where k = ? and n = ? and z = ?');
  });
  it('keeps quoted identifiers and numbers inside identifiers', () => {
    expect(normalizeSql('SELECT "UserId", col2 FROM "Table1" WHERE x1 = 2')).toBe('select "UserId", col2 from "Table1" where x1 = ?');
  });
  it('keeps subtraction as an operator', () => {
    expect(normalizeSql('select a - 1 from t')).toBe('select a - ? from t');
  });
  it('takes a custom placeholder', () => {
    expect(normalizeSql('select * from t where a = 1', { placeholder: '<*>' })).toBe('select * from t where a = <*>');
  });
});
