import { afterEach, expect } from 'vitest';
import { ArgumentError, Database } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('DDL: tables in a schema', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  const schema = `relata_app_${process.pid}`;
  afterEach(async () => {
    if (db) {
      if (t.dialect !== 'sqlite') {
        await db.dropAll();
        const drop =
          t.dialect === 'postgres'
            ? `DROP SCHEMA IF EXISTS "${schema}" CASCADE`
            : `DROP DATABASE IF EXISTS \`${schema}\``;
        await db.engine.execute({ sql: drop, params: [] });
      }
      await db.close();
    }
    db = null;
  });

  function models(d: Database) {
    class Acct extends d.Model(
      'Acct',
      {
        id: d.Column(d.Integer, { primaryKey: true }),
        name: d.Column(d.String(40), { nullable: false, index: true }),
        entries: d.relationship<Entry>('Entry', { backPopulates: 'acct' }),
      },
      { schema },
    ) {}
    class Entry extends d.Model(
      'Entry',
      {
        id: d.Column(d.Integer, { primaryKey: true }),
        acctId: d.Column('acct_id', d.Integer, d.ForeignKey(`${schema}.acct.id`), { nullable: false }),
        amount: d.Column(d.Integer, { nullable: false }),
        acct: d.relationship<Acct>('Acct', { backPopulates: 'entries', uselist: false }),
      },
      { schema },
    ) {}
    return { Acct, Entry };
  }

  it('creates "app"."acct" (not a table named "app.acct"), quoted in DDL, DML, joins and foreign keys', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const { Acct, Entry } = models(db);
    if (t.dialect === 'sqlite') {
      const err = await db.createAll().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArgumentError);
      expect((err as Error).message).toContain(
        `Table '${schema}.acct': SQLite has no schemas, and '${schema}' is not an attached database`,
      );
      return;
    }
    const create = t.dialect === 'postgres' ? `CREATE SCHEMA "${schema}"` : `CREATE DATABASE \`${schema}\``;
    await db.engine.execute({ sql: create, params: [] });
    await db.createAll();
    const q = (s: string) => (t.dialect === 'mysql' ? s.replace(/"/g, '`') : s);
    const ddl = db.engine.dialect.compiler.createTable(Entry.__table__).join(';\n');
    expect(ddl).toContain(q(`CREATE TABLE "${schema}"."entry"`));
    expect(ddl).toContain(q(`REFERENCES "${schema}"."acct" ("id")`));
    const a = new Acct({ name: 'cash' });
    a.entries = [new Entry({ amount: 5 }), new Entry({ amount: 7 })];
    db.session.add(a);
    await db.session.commit();
    a.name = 'bank';
    await db.session.commit();
    const s = db.newSession();
    const rows = await s.query(Entry).join(Entry.acct).filter(Acct.name.eq('bank')).orderBy(Entry.amount).all();
    expect(rows.map((e) => e.amount)).toEqual([5, 7]);
    expect((await rows[0]!.acct)!.name).toBe('bank');
    const loaded = (await s.query(Acct).options(db.selectinload(Acct.entries)).one())!;
    expect(loaded.entries.length).toBe(2);
    await s.delete(rows[0]!);
    await s.commit();
    const where =
      t.dialect === 'postgres'
        ? `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name IN ('acct', 'entry')`
        : `SELECT count(*) FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name IN ('acct', 'entry')`;
    expect(Number((await db.engine.execute({ sql: where, params: [] })).rows[0]![0])).toBe(2);
  });
});
