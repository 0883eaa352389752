/**
 * Every statement sent passes the engine's event point, the ones that fail included: counters see
 * them, and their event carries the error.
 */
import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  Database,
  IntegrityError,
  ProgrammingError,
  text,
  type StatementEvent,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Statement events of failed statements', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  async function open(options: { logger?: (line: string) => void } = {}) {
    db = new Database(t.url, { nPlusOne: 'off', echo: options.logger !== undefined, ...options });
    class Note extends db.Model('Note', {
      id: db.Column(db.Integer, { primaryKey: true }),
      body: db.Column(db.String(20), { nullable: false, unique: true }),
    }) {}
    await db.dropAll();
    await db.createAll();
    db.session.add(new Note({ body: 'taken' }));
    await db.session.commit();
    return Note;
  }

  /** The events `fn` causes, and the error it fails with. */
  async function failing(fn: () => Promise<unknown>): Promise<{ events: StatementEvent[]; error: unknown }> {
    const events: StatementEvent[] = [];
    const off = db!.onStatement((e) => events.push(e));
    try {
      const error = await fn().then(
        () => null,
        (e: unknown) => e,
      );
      if (!error) throw new Error('expected a failure');
      return { events, error };
    } finally {
      off();
    }
  }

  it('a unique violation in a flush is counted, and its event carries the IntegrityError', async () => {
    const Note = await open();
    const s = db!.newSession();
    s.add(new Note({ body: 'taken' }));
    const { events, error } = await failing(() => s.commit());
    expect(error).toBeInstanceOf(IntegrityError);
    const statements = events.filter((e) => e.kind === 'statement');
    expect(statements.map((e) => [e.sql.split(' ')[0], e.error])).toEqual([['INSERT', error]]);
    expect(statements[0]!.rowCount).toBe(0);
    // The counter sees it too; the passing statements around it carry no error.
    await s.rollback();
    s.add(new Note({ body: 'taken' }));
    expect(await db!.countQueries(() => expect(s.commit()).rejects.toThrow(IntegrityError))).toBe(1);
    await s.rollback();
    const ok = await db!.recordQueries(() => s.query(Note).all());
    expect(ok.map((e) => e.error)).toEqual([undefined]);
  });

  it('a syntax error in a text() fragment is counted with its ProgrammingError; a refusal before sending is not', async () => {
    const Note = await open();
    const s = db!.newSession();
    const { events, error } = await failing(() =>
      s
        .query(Note)
        .filter(text('body = = ?', ['x']))
        .all(),
    );
    expect(error).toBeInstanceOf(ProgrammingError);
    expect(events.filter((e) => e.kind === 'statement').map((e) => [e.sql.split(' ')[0], e.error])).toEqual([
      ['SELECT', error],
    ]);
    const raw = await failing(() => db!.engine.execute({ sql: 'SELEC 1', params: [] }));
    expect(raw.events.map((e) => [e.sql, e.error])).toEqual([['SELEC 1', raw.error]]);
    // Refused by Relata before anything was sent: no statement to count.
    await s.rollback();
    const refused = await failing(async () => s.query(Note).filter(text('body = ?', [])).all());
    expect(refused.error).toBeInstanceOf(ArgumentError);
    expect(refused.events.filter((e) => e.kind === 'statement')).toEqual([]);
  });

  it('echo logs a failed statement with its error', async () => {
    const lines: string[] = [];
    await open({ logger: (line) => lines.push(line) });
    lines.length = 0;
    await expect(db!.engine.execute({ sql: 'SELEC 1', params: [] })).rejects.toThrow(ProgrammingError);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[SQL\] SELEC 1 {2}-- failed: .*(syntax|SELEC)/i);
  });

  it('echo quotes string parameters as SQL literals, so a quote inside one is visible', async () => {
    const lines: string[] = [];
    const Note = await open({ logger: (line) => lines.push(line) });
    lines.length = 0;
    db!.session.add(new Note({ body: "Bob's first" }));
    await db!.session.commit();
    const insert = lines.find((l) => l.includes('INSERT INTO'));
    expect(insert).toMatch(/ {2}\['Bob''s first'\]$/);
    const rows = await db!.session.query(Note).filterBy({ body: "Bob's first" }).all();
    expect(rows.map((n) => n.body)).toEqual(["Bob's first"]);
  });

  it('echo shows BEGIN as the driver sends it, per database; an unknown isolation level is refused on all', async () => {
    const Note = await open();
    const begins: string[] = [];
    const off = db!.onStatement((e) => {
      if (e.kind === 'transaction' && !/^(COMMIT|ROLLBACK)/.test(e.sql)) begins.push(e.sql);
    });
    for (const options of [{}, { isolation: 'serializable' as const }, { readOnly: true }]) {
      await db!.transaction(async (s) => s.query(Note).all(), options);
    }
    off();
    const expected = {
      sqlite: ['BEGIN IMMEDIATE', 'BEGIN IMMEDIATE', 'BEGIN; PRAGMA query_only = 1'],
      postgres: ['BEGIN', 'BEGIN ISOLATION LEVEL SERIALIZABLE', 'BEGIN READ ONLY'],
      mysql: [
        'START TRANSACTION',
        'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; START TRANSACTION',
        'START TRANSACTION READ ONLY',
      ],
    }[t.dialect];
    expect(begins).toEqual(expected);
    const s = db!.newSession();
    await expect(s.begin({ isolation: 'chaos' as 'serializable' })).rejects.toThrow(/unknown isolation level 'chaos'/);
    await s.close();
  });
});
