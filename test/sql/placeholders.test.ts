/** Which `?` of a text() fragment are placeholders, per dialect's quoting and comment rules (no server needed). */
import { describe, expect, it } from 'vitest';
import { MysqlCompiler } from '../../src/dialects/mysql/compiler.js';
import { PostgresCompiler } from '../../src/dialects/postgres/compiler.js';
import { SqliteCompiler } from '../../src/dialects/sqlite/compiler.js';
import { placeholderPositions, scanText, STANDARD_SYNTAX } from '../../src/sql/placeholders.js';
import { textParameterProblem } from '../../src/sql/text-params.js';

const sqlite = new SqliteCompiler().textSyntax;
const postgres = new PostgresCompiler().textSyntax;
const mysql = new MysqlCompiler().textSyntax;

/** How many placeholders each dialect finds in `sql`. */
function counts(sql: string): { sqlite: number; postgres: number; mysql: number } {
  return {
    sqlite: placeholderPositions(sql, sqlite).length,
    postgres: placeholderPositions(sql, postgres).length,
    mysql: placeholderPositions(sql, mysql).length,
  };
}

describe('placeholderPositions', () => {
  it('skips ? in strings, quoted identifiers and comments on every dialect', () => {
    expect(placeholderPositions("a = ? AND b <> '?' AND c = ?", STANDARD_SYNTAX)).toEqual([4, 27]);
    expect(counts(`x = ? AND "wh?t" = 1 AND \`q?\` = 2 AND 'it''s ?' = ?`)).toEqual({
      sqlite: 2,
      postgres: 2,
      mysql: 2,
    });
    expect(counts('x = ? -- why?\nAND y = ?')).toEqual({ sqlite: 2, postgres: 2, mysql: 2 });
    expect(counts('x = ? /* a ? here */ AND y = ?')).toEqual({ sqlite: 2, postgres: 2, mysql: 2 });
    expect(counts("x = '?")).toEqual({ sqlite: 0, postgres: 0, mysql: 0 }); // unterminated: the database reports it
  });

  it("follows each dialect's own rules", () => {
    // PostgreSQL: dollar quotes (empty and tagged), E'' strings with backslash escapes, nested comments.
    expect(counts('x = $$ ? $$ AND y = ?').postgres).toBe(1);
    expect(counts('x = $fn$ ? $$ ? $fn$ AND y = ?').postgres).toBe(1);
    expect(counts("x = E'\\' ?' AND y = ?").postgres).toBe(1);
    expect(counts('/* a /* b */ ? */ x = ?').postgres).toBe(1);
    expect(counts('x = $1 AND y = ?').postgres).toBe(1); // $1 opens no dollar quote
    // MySQL: backslash escapes in strings, # comments, -- only before a space.
    expect(counts("x = '\\' ?' AND y = ?").mysql).toBe(1);
    expect(counts('x = ? # really?\nAND y = ?').mysql).toBe(2);
    expect(counts('x = 1--?').mysql).toBe(1);
    expect(counts('x = 1--?').postgres).toBe(0);
    // SQLite: [bracketed] identifiers.
    expect(counts('[a?b] = ?').sqlite).toBe(1);
  });
});

describe('scanText', () => {
  it("finds placeholders in the database's own syntax, which the driver would bind out of order", () => {
    const foreign = (sql: string) => ({
      sqlite: scanText(sql, sqlite).foreign,
      postgres: scanText(sql, postgres).foreign,
      mysql: scanText(sql, mysql).foreign,
    });
    expect(foreign('id = ?2')).toEqual({ sqlite: '?2', postgres: '?2', mysql: '?2' });
    expect(foreign('id = $1')).toEqual({ sqlite: null, postgres: '$1', mysql: null });
    expect(foreign('id = :id OR x = @x')).toEqual({ sqlite: ':id', postgres: null, mysql: null });
    // Not placeholders: inside quotes, a PostgreSQL cast or dollar quote, an identifier with $ in it.
    expect(foreign('\'$1\' = ? AND "?1" = ? -- :a')).toEqual({ sqlite: null, postgres: null, mysql: null });
    expect(scanText('x::int = ? AND $$:a $1$$ = a$1 AND $t$?2$t$ = 1', postgres)).toEqual({
      placeholders: [9],
      foreign: null,
    });
  });
});

describe('textParameterProblem', () => {
  it('accepts the values every driver binds as themselves', () => {
    for (const v of [null, true, 0, -1.5, 2n ** 63n - 1n, 'x😀', new Date(0), new Uint8Array([1]), Buffer.from('a')]) {
      expect(textParameterProblem(v)).toBeNull();
    }
  });

  it('names what is wrong with anything else', () => {
    expect(textParameterProblem(new Number(1))).toMatch(/Number object; pass the primitive/);
    expect(textParameterProblem({ toString: () => '1' })).toMatch(/an object, not a SQL value/);
    expect(textParameterProblem([1, 2])).toMatch(/an array; .*in\(/);
    expect(textParameterProblem(NaN)).toMatch(/NaN is not a finite number/);
    expect(textParameterProblem(Infinity)).toMatch(/not a finite number/);
    expect(textParameterProblem(2n ** 63n)).toMatch(/does not fit a 64-bit integer/);
    expect(textParameterProblem(new Date(NaN))).toMatch(/invalid Date/);
    expect(textParameterProblem(undefined)).toMatch(/undefined; pass null/);
    expect(textParameterProblem('a\ud800')).toMatch(/lone UTF-16 surrogate/);
    // The same rules as a typed column: PostgreSQL refuses NUL, and SQLite's text stops at year 9999.
    expect(textParameterProblem('a\u0000b')).toMatch(/NUL/);
    expect(textParameterProblem(new Date(Date.UTC(10000, 0, 1)))).toMatch(/outside years 0001–9999/);
    expect(textParameterProblem(new Date(Date.UTC(2026, 0, 1)))).toBeNull();
    expect(textParameterProblem(new Int16Array(1))).toMatch(/Int16Array; pass a Uint8Array/);
    expect(textParameterProblem(Symbol('s'))).toMatch(/a symbol/);
  });
});
