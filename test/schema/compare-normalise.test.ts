/** The differ's normalisation of SQL text: defaults, expressions and types as each database gives them back. */
import { describe, expect, it } from 'vitest';
import {
  normaliseDefault,
  normaliseExpression,
  normaliseTypeText,
  sqliteAffinity,
  stripCasts,
} from '../../src/schema/compare/sql-text.js';

describe('server defaults compare by meaning, not spelling', () => {
  it.each([
    ["'draft'", "'draft'::character varying"],
    ["'open'", `'open'::"My Enum"`],
    ['0', "'0'"],
    ['0', '0.00'],
    ['-1.5', "'-1.5'::double precision"],
    ['-1', '(-1)'],
    ['true', '1'],
    ['false', "'0'"],
    ['CURRENT_TIMESTAMP', 'current_timestamp()'],
    ['CURRENT_TIMESTAMP', 'now()'],
    ['CURRENT_TIMESTAMP(6)', 'current_timestamp(6)'],
    ["'{}'", "'{}'::character varying(20)[]"],
    ["('x')", "'x'"],
    ["lower('A')", "lower('A'::text)"],
    ["'it''s'", "'it''s'::text"],
  ])('%s is %s', (model, live) => {
    expect(normaliseDefault(model)).toBe(normaliseDefault(live));
  });

  it.each([
    ["'draft'", "'Draft'"],
    ['0', '1'],
    ["'0'", "'zero'"],
    ['CURRENT_TIMESTAMP', "'2020-01-01'"],
    ["'a'", 'a'],
  ])('%s is not %s', (model, live) => {
    expect(normaliseDefault(model)).not.toBe(normaliseDefault(live));
  });

  it('no default, and NULL, are the same', () => {
    expect(normaliseDefault(undefined)).toBeNull();
    expect(normaliseDefault('NULL')).toBeNull();
    expect(normaliseDefault("'x'")).not.toBeNull();
  });
});

describe('expressions (CHECK, WHERE, index parts)', () => {
  it.each([
    ["status = 'open'", "((status)::text = 'open'::text)"],
    ['lower(email)', 'lower((email)::text)'],
    ['lower(email)', 'lower(`email`)'],
    ['deleted_at IS NULL', '(deleted_at IS NULL)'],
    ['"Seats" >= 0', 'seats >= (0)::numeric'],
  ])('%s is %s', (a, b) => {
    expect(normaliseExpression(a)).toBe(normaliseExpression(b));
  });

  it("keeps string literals' case and content", () => {
    expect(normaliseExpression("status = 'Open'")).not.toBe(normaliseExpression("status = 'open'"));
    expect(stripCasts("'a::text' || b::text")).toBe("'a::text' || b");
  });
});

describe('types', () => {
  it('renderings differ only in spacing and case', () => {
    expect(normaliseTypeText('NUMERIC(10, 2)')).toBe(normaliseTypeText('numeric(10,2)'));
    expect(normaliseTypeText('character varying(20) []')).toBe('CHARACTER VARYING(20)[]');
  });

  it("SQLite's affinities", () => {
    expect(
      [
        'INTEGER',
        'BIGINT',
        'VARCHAR(10)',
        'NVARCHAR(5)',
        'BLOB',
        '',
        'REAL',
        'DOUBLE',
        'NUMERIC(10, 2)',
        'BOOLEAN',
        'DATETIME',
      ].map(sqliteAffinity),
    ).toEqual(['INTEGER', 'INTEGER', 'TEXT', 'TEXT', 'BLOB', 'BLOB', 'REAL', 'REAL', 'NUMERIC', 'NUMERIC', 'NUMERIC']);
  });
});
