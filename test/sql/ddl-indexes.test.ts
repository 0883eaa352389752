import { afterEach, expect } from 'vitest';
import { ArgumentError, Database, IntegrityError } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function ddl(db: Database, tableName: string): string {
  const table = db.registry.metadata.tables.get(tableName)!;
  return db.engine.dialect.compiler.createTable(table).join(';\n').replace(/`/g, '"');
}

async function rawInsert(db: Database, sql: string): Promise<unknown> {
  return db.engine.execute({ sql, params: [] }).catch((e: unknown) => e);
}

describeEachDialect('DDL: composite, partial and expression indexes', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = null;
  });

  it('a composite unique index is created and enforced', async () => {
    db = new Database(t.url);
    db.Model(
      'Person',
      {
        id: db.Column(db.Integer, { primaryKey: true }),
        last: db.Column(db.String(40)),
        first: db.Column(db.String(40)),
      },
      { tableArgs: [db.Index('ux_person_name', ['last', 'first'], { unique: true })] },
    );
    await db.dropAll();
    await db.createAll();
    expect(ddl(db, 'person')).toMatch(/UNIQUE INDEX "ux_person_name" (ON "person" )?\("last", "first"\)/);
    await rawInsert(db, "INSERT INTO person (id, last, first) VALUES (1, 'Doe', 'Ann')");
    expect(await rawInsert(db, "INSERT INTO person (id, last, first) VALUES (2, 'Doe', 'Bob')")).not.toBeInstanceOf(
      Error,
    );
    const dup = await rawInsert(db, "INSERT INTO person (id, last, first) VALUES (3, 'Doe', 'Ann')");
    expect(dup).toBeInstanceOf(IntegrityError);
    if (t.dialect !== 'sqlite') expect((dup as Error).message).toContain('ux_person_name');
  });

  it('a partial unique index over an expression (PostgreSQL, SQLite); refused on MySQL/MariaDB naming the index', async () => {
    db = new Database(t.url);
    db.Model(
      'Account',
      {
        id: db.Column(db.Integer, { primaryKey: true }),
        email: db.Column(db.String(200)),
        gone: db.Column(db.Boolean, { nullable: false }),
      },
      {
        tableArgs: [db.Index('ux_account_email', [db.text('lower(email)')], { unique: true, where: 'NOT gone' })],
      },
    );
    await db.dropAll();
    if (t.dialect === 'mysql') {
      const err = await db.createAll().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArgumentError);
      expect((err as Error).message).toMatch(/Index 'ux_account_email' on table 'account': .*(partial|expression)/);
      db.registry.metadata.tables.clear();
      return;
    }
    await db.createAll();
    expect(ddl(db, 'account')).toContain(
      'UNIQUE INDEX "ux_account_email" ON "account" ((lower(email))) WHERE NOT gone',
    );
    const f = t.dialect === 'sqlite' ? ['0', '1'] : ['false', 'true'];
    await rawInsert(db, `INSERT INTO account (id, email, gone) VALUES (1, 'A@x.org', ${f[1]})`);
    expect(
      await rawInsert(db, `INSERT INTO account (id, email, gone) VALUES (2, 'a@x.org', ${f[0]})`),
    ).not.toBeInstanceOf(Error);
    const dup = await rawInsert(db, `INSERT INTO account (id, email, gone) VALUES (3, 'a@X.org', ${f[0]})`);
    expect(dup).toBeInstanceOf(IntegrityError);
    if (t.dialect === 'postgres') expect((dup as Error).message).toContain('ux_account_email');
  });

  it('an expression index on MySQL 8.0.13+ (refused on MariaDB), a plain one elsewhere', async () => {
    db = new Database(t.url);
    db.Model(
      'Tagged',
      { id: db.Column(db.Integer, { primaryKey: true }), name: db.Column(db.String(40)) },
      { tableArgs: [db.Index('ix_tagged_lower', [db.text('lower(name)')])] },
    );
    await db.dropAll();
    const err = await db.createAll().catch((e: unknown) => e);
    const compiler = db.engine.dialect.compiler as { supportsExpressionIndexes?: boolean };
    if (t.dialect === 'mysql' && compiler.supportsExpressionIndexes === false) {
      expect((err as Error).message).toMatch(/Index 'ix_tagged_lower' on table 'tagged': .*cannot index an expression/);
      db.registry.metadata.tables.clear();
    } else expect(err).toBeUndefined();
  });

  it('bad index declarations are refused naming the index', () => {
    db = new Database('sqlite://');
    expect(() => db!.Index('ix', [])).toThrow(/Index\('ix'\): expected a non-empty list/);
    expect(() => db!.Index('ix', [db!.text('lower(?)', [1])])).toThrow(/cannot have bound parameters/);
    expect(() => db!.Index('ix', ['a'], { postgresql_where: 'a' } as never)).toThrow(/spell it where/);
    expect(() => db!.Table('t', db!.Column('a', db!.Integer), db!.Index('ix_t', ['b']))).toThrow(
      /Table 't': Index 'ix_t' names column 'b', which the table does not have/,
    );
    db.registry.metadata.tables.clear();
  });
});
