/**
 * text() on every database: a `?` in quotes or comments stays text, each value is checked before any
 * SQL runs, and a count of values that does not match the placeholders is refused.
 */
import { afterEach, expect } from 'vitest';
import { ArgumentError, Database, text } from '../../src/index.js';
import { Select } from '../../src/sql/selectable.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('text() parameters', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  async function open() {
    db = new Database(t.url, { nPlusOne: 'off' });
    class Note extends db.Model('Note', {
      id: db.Column(db.Integer, { primaryKey: true }),
      body: db.Column(db.String(40), { nullable: false }),
    }) {}
    await db.dropAll();
    await db.createAll();
    db.session.addAll([new Note({ body: 'what?' }), new Note({ body: 'plain' }), new Note({ body: "it's" })]);
    await db.session.commit();
    return Note;
  }

  it('a ? inside a string literal, a quoted identifier or a comment is not a placeholder', async () => {
    const Note = await open();
    const q = t.dialect === 'mysql' ? '`' : '"';
    const s = db!.newSession();
    const bodies = async (clause: ReturnType<typeof text>) =>
      (await s.query(Note).filter(clause).orderBy(Note.id).all()).map((n) => n.body);
    expect(await bodies(text(`body = 'what?' OR ${q}body${q} = ?`, ['plain']))).toEqual(['what?', 'plain']);
    expect(await bodies(text(`body = ? -- or is it?\n OR body = 'it''s'`, ['plain']))).toEqual(['plain', "it's"]);
    expect(await bodies(text(`/* which one? */ body <> ?`, ['plain']))).toEqual(['what?', "it's"]);
    // Each dialect's own quoting: a dollar-quoted string (PostgreSQL), a backslash escape (MySQL), [ident] (SQLite).
    const own = {
      postgres: text(`body = $$what?$$ OR body = ?`, ['plain']),
      mysql: text(`body = 'what\\?' OR body = ? # really?`, ['plain']),
      sqlite: text(`[body] = 'what?' OR [body] = ?`, ['plain']),
    }[t.dialect];
    expect(await bodies(own)).toEqual(['what?', 'plain']);
    const [row] = await s.execute(new Select({ columns: [text(`'?' || ?`, ['!']).label('x')] }));
    if (t.dialect !== 'mysql') expect(row).toEqual({ x: '?!' }); // MySQL's || is OR
  });

  it('refuses a value it cannot bind as given, naming the parameter, before any SQL runs', async () => {
    const Note = await open();
    const s = db!.newSession();
    const refused = [
      [new Number(1), /parameter 2 is a Number object; pass the primitive/],
      [{ toString: () => 'plain' }, /parameter 2 is an object, not a SQL value/],
      [['plain'], /parameter 2 is an array/],
      [NaN, /parameter 2 is NaN is not a finite number/],
      [new Date(NaN), /parameter 2 is an invalid Date/],
      [2n ** 64n, /parameter 2 is 18446744073709551616n does not fit a 64-bit integer/],
      [undefined, /parameter 2 is undefined; pass null/],
    ] as const;
    for (const [value, message] of refused) {
      const run = async () =>
        s
          .query(Note)
          .filter(text('id > ? AND body = ?', [0, value]))
          .all();
      expect(await db!.countQueries(() => expect(run).rejects.toThrow(ArgumentError))).toBe(0);
      await expect(run).rejects.toThrow(message);
    }
    // What it accepts binds as itself on every database.
    const stamp = new Date('2024-02-03T04:05:06.000Z');
    // PostgreSQL needs a type for a parameter it cannot infer.
    const as = (type: string) => (t.dialect === 'postgres' ? `CAST(? AS ${type})` : '?');
    const [row] = await s.execute(
      new Select({ columns: [text(`${as('bigint')} + ${as('numeric')}`, [2n, 1.5]).label('n')] }),
    );
    expect(Number(row!.n)).toBe(3.5);
    expect(
      await s
        .query(Note)
        .filter(text(`id > ? AND ${as('timestamptz')} IS NOT NULL`, [0, stamp]))
        .count(),
    ).toBe(3);
  });

  it('a count of values that differs from the placeholders found is refused with both numbers', async () => {
    const Note = await open();
    const s = db!.newSession();
    const few = async () => s.query(Note).filter(text("body = ? AND body <> 'a?'", [])).all();
    const many = async () =>
      s
        .query(Note)
        .filter(text("body = 'b?' /* ? */", ['plain']))
        .all();
    expect(await db!.countQueries(() => expect(few).rejects.toThrow(ArgumentError))).toBe(0);
    await expect(few).rejects.toThrow(
      /found 1 placeholder \(\?\) outside quotes and comments, but 0 values were given/,
    );
    await expect(many).rejects.toThrow(
      /found 0 placeholders \(\?\) outside quotes and comments, but 1 value was given/,
    );
    // A numbered or named placeholder would take another value of the statement (here the 0 of id > ?).
    const own = { postgres: '$1', sqlite: ':body', mysql: '?1' }[t.dialect];
    const numbered = async () =>
      s
        .query(Note)
        .filter(Note.id.gt(0), text(`body = ${own} OR body = ?`, ['plain']))
        .all();
    expect(await db!.countQueries(() => expect(numbered).rejects.toThrow(ArgumentError))).toBe(0);
    await expect(numbered).rejects.toThrow(`${own} is a placeholder the driver would bind by its own number or name`);
  });
});
