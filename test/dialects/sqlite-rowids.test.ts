/**
 * SQLite: an INSERT into a table keyed by its rowid runs without RETURNING (SQLite numbers one
 * statement's rows consecutively); every other table, and any database with triggers, keeps
 * RETURNING. Either way each object gets the key of its own row.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/index.js';

describe('SQLite generated keys without RETURNING', () => {
  let db: Database;
  afterEach(async () => {
    await db.close();
  });

  function model(database: Database) {
    return class Note extends database.Model('Note', {
      id: database.Column(database.Integer, { primaryKey: true }),
      body: database.Column(database.String(40), { nullable: false }),
    }) {};
  }

  /** Adds `n` notes, returns the INSERTs' SQL and whether each note's id is the id of its own row. */
  async function insertNotes(Note: ReturnType<typeof model>, n: number, tag: string) {
    const notes = Array.from({ length: n }, (_, i) => new Note({ body: `${tag} ${i}` }));
    db.session.addAll(notes);
    const sql = (await db.recordQueries(() => db.session.commit()))
      .map((e) => e.sql)
      .filter((q) => q.startsWith('INSERT'));
    const rows = (await db.engine.execute({ sql: 'SELECT id, body FROM note', params: [] })).rows;
    const idOf = new Map(rows.map((r) => [r[1], r[0]]));
    return { sql, matched: notes.every((note) => idOf.get(note.body) === note.id) };
  }

  it('a rowid table: no RETURNING, and consecutive keys matched to their rows', async () => {
    db = new Database('sqlite://');
    const Note = model(db);
    await db.createAll();
    await db.engine.execute({ sql: "INSERT INTO note (id, body) VALUES (41, 'first')", params: [] });
    const { sql, matched } = await insertNotes(Note, 500, 'a');
    expect(sql).toHaveLength(1);
    expect(sql[0]).not.toMatch(/RETURNING/);
    expect(matched).toBe(true);
    const ids = (await db.newSession().query(Note).filter(Note.body.like('a %')).all()).map((n) => n.id);
    expect(Math.min(...ids)).toBe(42);
  });

  it('a trigger anywhere in the database (one could add rows between ours): RETURNING', async () => {
    db = new Database('sqlite://');
    const Note = model(db);
    await db.createAll();
    expect((await insertNotes(Note, 3, 'before')).sql[0]).not.toMatch(/RETURNING/);
    // A trigger that inserts into the same table between our rows: keys are no longer consecutive.
    await db.engine.execute({
      sql: `CREATE TRIGGER echo AFTER INSERT ON note WHEN NEW.body LIKE 't %' BEGIN INSERT INTO note (body) VALUES ('echo ' || NEW.body); END`,
      params: [],
    });
    const { sql, matched } = await insertNotes(Note, 5, 't');
    expect(sql[0]).toMatch(/RETURNING "id"$/);
    expect(matched).toBe(true);
  });

  it('a key that is not the rowid (INTEGER PRIMARY KEY DESC, part of a composite key): RETURNING', async () => {
    for (const ddl of [
      'CREATE TABLE note (id INTEGER PRIMARY KEY DESC, body VARCHAR(40) NOT NULL)',
      'CREATE TABLE note (id INTEGER NOT NULL, body VARCHAR(40) NOT NULL, PRIMARY KEY (id, body))',
    ]) {
      db = new Database('sqlite://');
      const Note = model(db);
      await db.engine.execute({ sql: ddl, params: [] });
      db.session.add(new Note({ body: 'x' }));
      // The INSERT that ran, or the one that failed (the composite key's id is NOT NULL).
      let sql: string | undefined;
      const off = db.engine.onStatement((e) => (sql = e.sql.startsWith('INSERT') ? e.sql : sql));
      await db.session.commit().catch((err: { sql?: string }) => (sql = err.sql));
      off();
      expect(sql).toMatch(/^INSERT INTO "note" .* RETURNING "id"$/);
      await db.close();
    }
    db = new Database('sqlite://');
  });
});
