/**
 * `renderModelsModule` keeps what each database holds: tables made by models with every column type
 * and option introspection reads (Uuid, Enum, LargeBinary, Numeric, JSON, PostgreSQL arrays; server
 * defaults, comments, unique, CHECKs, composite keys with actions, indexes) are reflected, written as
 * a module, compiled and imported on SQLite, PostgreSQL and MariaDB, and the module declares the same
 * tables as the database.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { Database, reflectMetaData, renderModelsModule, type ReflectedMetaData } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { pulledModulesDir, shapeOf, typeCheck } from './pull-support.js';

const OUT = pulledModulesDir();
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

function declare(db: Database, postgres: boolean) {
  class Account extends db.Model(
    'Account',
    {
      id: db.Column(db.Uuid, { primaryKey: true }),
      email: db.Column(db.String(120), { nullable: false, unique: true, comment: "the login's address" }),
      status: db.Column(db.Enum(['active', 'closed'], { name: 'account_status' }), {
        nullable: false,
        serverDefault: "'active'",
      }),
      avatar: db.Column(db.LargeBinary),
      balance: db.Column(db.Numeric(12, 2), { nullable: false, serverDefault: '0' }),
      createdAt: db.Column('created_at', db.DateTime, { index: true }),
      ...(postgres ? { tags: db.Column(db.ArrayOf(db.String(20))) } : {}),
    },
    {
      comment: 'one row per login',
      tableArgs: [
        db.CheckConstraint('balance >= 0', { name: 'ck_account_balance' }),
        db.Index('ix_account_status_email', ['status', 'email']),
      ],
    },
  ) {}
  class Entry extends db.Model('Entry', {
    id: db.Column(db.Integer, { primaryKey: true }),
    accountId: db.Column('account_id', db.Uuid, db.ForeignKey('account.id', { ondelete: 'CASCADE' }), {
      nullable: false,
    }),
    amount: db.Column(db.BigInteger, { nullable: false }),
    ratio: db.Column(db.Float),
    cleared: db.Column(db.Boolean, { nullable: false, serverDefault: postgres ? 'false' : '0' }),
    day: db.Column(db.Date),
    note: db.Column(db.Text),
  }) {}
  class Region extends db.Model(
    'Region',
    {
      code: db.Column(db.String(8)),
      year: db.Column(db.Integer),
      name: db.Column(db.String(40), { nullable: false }),
    },
    {
      tableArgs: [
        db.PrimaryKeyConstraint(['year', 'code'], { name: 'pk_region_year_code' }),
        db.UniqueConstraint(['name', 'year'], { name: 'uq_region_name' }),
      ],
    },
  ) {}
  class Office extends db.Model(
    'Office',
    {
      id: db.Column(db.Integer, { primaryKey: true, autoincrement: false }),
      regionYear: db.Column('region_year', db.Integer),
      regionCode: db.Column('region_code', db.String(8)),
    },
    {
      tableArgs: [
        db.ForeignKeyConstraint(['region_year', 'region_code'], ['region.year', 'region.code'], {
          name: 'fk_office_region',
          onDelete: 'SET NULL',
        }),
      ],
    },
  ) {}
  return [Account, Entry, Region, Office];
}

/** Types Relata does not have, in each database's spelling. */
function oddTable(dialect: string): string {
  const own = {
    sqlite: 'code CHAR(3)',
    postgres: 'code CHAR(3), price MONEY',
    mysql: 'code CHAR(3), big INT UNSIGNED, raw VARBINARY(4)',
  }[dialect];
  return `CREATE TABLE odd (id INTEGER NOT NULL PRIMARY KEY, small SMALLINT, ${own})`;
}

/** What the pulled module declares for them. */
const ODD_TYPES: Record<string, Record<string, unknown>[]> = {
  sqlite: [{ name: 'Integer' }, { name: 'Integer' }, { name: 'String', length: 3 }],
  postgres: [{ name: 'Integer' }, { name: 'Integer' }, { name: 'String', length: 3 }, { name: 'Text' }],
  mysql: [
    { name: 'Integer' },
    { name: 'Integer' },
    { name: 'String', length: 3 },
    { name: 'BigInteger' },
    { name: 'LargeBinary' },
  ],
};

describeEachDialect('relata pull keeps types and options', (t) => {
  const it = itOn(t);
  let db: Database;
  let reflected: ReflectedMetaData;
  let source: string;
  const file = join(OUT, `types_${t.dialect}.ts`);

  beforeAll(async () => {
    if (t.skipReason) return;
    const url = t.dialect === 'sqlite' ? `sqlite:///${join(OUT, 'types.sqlite')}` : t.url;
    db = new Database(url);
    declare(db, t.dialect === 'postgres');
    await db.createAll();
    await db.engine.execute({ sql: oddTable(t.dialect), params: [], returnsRows: false });
    reflected = await reflectMetaData(db.engine);
    source = renderModelsModule(reflected, {
      importFrom: '../../../src/index.js',
      urlExpression: JSON.stringify(url),
    });
    writeFileSync(file, source);
  });
  afterAll(async () => {
    if (t.skipReason) return;
    await db.engine.execute({ sql: 'DROP TABLE odd', params: [], returnsRows: false });
    await db.dropAll();
    await db.close();
  });

  it('writes each column type and option as a model declares it', () => {
    const expectLine = (text: string) => expect(source.split('\n').map((l) => l.trim())).toContain(text);
    expectLine('id: db.Column(db.Uuid, { primaryKey: true }),');
    if (t.dialect !== 'sqlite') {
      expectLine(
        `email: db.Column(db.String(120), { nullable: false, unique: true, comment: "the login's address" }),`,
      );
    }
    // The database's own spelling of defaults and CHECKs is kept as it reads back.
    const statusDefault = t.dialect === 'postgres' ? `"'active'::account_status"` : `"'active'"`;
    expectLine(
      `status: db.Column(db.Enum(['active', 'closed']${t.dialect === 'postgres' ? ", { name: 'account_status' }" : ''}), { nullable: false, serverDefault: ${statusDefault} }),`,
    );
    expectLine('avatar: db.Column(db.LargeBinary),');
    const zero = t.dialect === 'mysql' ? "'0.00'" : "'0'";
    expectLine(`balance: db.Column(db.Numeric(12, 2), { nullable: false, serverDefault: ${zero} }),`);
    expectLine("createdAt: db.Column('created_at', db.DateTime, { index: true }),");
    if (t.dialect === 'postgres') expectLine('tags: db.Column(db.ArrayOf(db.String(20))),');
    expectLine(
      "accountId: db.Column('account_id', db.Uuid, db.ForeignKey('account.id', { ondelete: 'CASCADE' }), { nullable: false }),",
    );
    // MySQL calls every primary key PRIMARY: the constraint is written for its key order alone.
    const pkName = t.dialect === 'mysql' ? '' : ", { name: 'pk_region_year_code' }";
    expectLine(`db.PrimaryKeyConstraint(['year', 'code']${pkName}),`);
    expectLine(
      "db.ForeignKeyConstraint(['region_year', 'region_code'], ['region.year', 'region.code'], { name: 'fk_office_region', onDelete: 'SET NULL' }),",
    );
    const check = { sqlite: 'balance >= 0', postgres: '(balance >= (0)::numeric)', mysql: '`balance` >= 0' }[t.dialect];
    expectLine(`db.CheckConstraint('${check}', { name: 'ck_account_balance' }),`);
    expectLine("db.Index('ix_account_status_email', ['status', 'email']),");
    expectLine("db.UniqueConstraint(['name', 'year'], { name: 'uq_region_name' }),");
    expectLine("region: db.relationship<Region>('Region', { backPopulates: 'offices', uselist: false }),");
    expectLine("entries: db.relationship<Entry>('Entry', { backPopulates: 'account', orderBy: 'id' }),");
  });

  it('the module compiles, imports and declares the tables the database has', async () => {
    expect(typeCheck(file)).toBe('');
    const m = (await import(pathToFileURL(file).href)) as { db: Database };
    try {
      const shapes = (tables: ReflectedMetaData['metadata']) =>
        [...tables.tables.values()].map(shapeOf).sort((a, b) => a.name.localeCompare(b.name));
      const got = shapes(m.db.registry.metadata);
      const expected = shapes(reflected.metadata);
      // The one difference by design: a type Relata does not have is declared as one that reads its values.
      const odd = (list: typeof got) => list.find((x) => x.name === 'odd')!.columns;
      expect(odd(got).map((c) => c.type)).toEqual(ODD_TYPES[t.dialect]);
      odd(expected).forEach((c, i) => (c.type = odd(got)[i]!.type));
      expect(got).toEqual(expected);
      // And it reads them.
      const values = { sqlite: "'abc'", postgres: "'abc', 1.5", mysql: "'abc', 4000000000, X'01020304'" }[t.dialect];
      await db.engine.execute({ sql: `INSERT INTO odd VALUES (1, 7, ${values})`, params: [], returnsRows: false });
      const Odd = (m as unknown as { Odd: { query: { one(): Promise<Record<string, unknown>> } } }).Odd;
      const row = await Odd.query.one();
      expect([row.small, row.code]).toEqual([7, 'abc']);
      if (t.dialect === 'mysql') expect([row.big, [...(row.raw as Uint8Array)]]).toEqual([4000000000n, [1, 2, 3, 4]]);
      if (t.dialect === 'postgres') expect(row.price).toMatch(/1\.50/);
    } finally {
      await m.db.close();
    }
  });

  if (t.dialect === 'postgres') {
    it('tables reflected from a schema: models declared in it, foreign keys naming it', async () => {
      const admin = new Database(t.url);
      await admin.engine.execute({ sql: 'CREATE SCHEMA app', params: [], returnsRows: false });
      const made = new Database(t.url);
      try {
        class Team extends made.Model(
          'Team',
          { id: made.Column(made.Integer, { primaryKey: true }), name: made.Column(made.String(40)) },
          { schema: 'app' },
        ) {}
        class Player extends made.Model(
          'Player',
          {
            id: made.Column(made.Integer, { primaryKey: true }),
            teamId: made.Column('team_id', made.Integer, made.ForeignKey('app.team.id')),
          },
          { schema: 'app' },
        ) {}
        void [Team, Player];
        await made.createAll();
        const inApp = await reflectMetaData(made.engine, { schema: 'app' });
        const appSource = renderModelsModule(inApp, {
          importFrom: '../../../src/index.js',
          urlExpression: JSON.stringify(t.url),
        });
        expect(appSource).toContain("teamId: db.Column('team_id', db.Integer, db.ForeignKey('app.team.id')),");
        expect(appSource).toContain("  {\n    schema: 'app',\n  },\n) {}");
        const appFile = join(OUT, 'app_postgres.ts');
        writeFileSync(appFile, appSource);
        expect(typeCheck(appFile)).toBe('');
        const m = (await import(pathToFileURL(appFile).href)) as { db: Database };
        try {
          const shapes = (tables: ReflectedMetaData['metadata']) =>
            [...tables.tables.values()].map(shapeOf).sort((a, b) => a.name.localeCompare(b.name));
          expect(shapes(m.db.registry.metadata)).toEqual(shapes(made.registry.metadata));
          for (const sql of [
            `INSERT INTO app.team (id, name) VALUES (1, 'Reds')`,
            `INSERT INTO app.player VALUES (7, 1)`,
          ])
            await made.engine.execute({ sql, params: [], returnsRows: false });
          const { Team: PulledTeam } = m as unknown as { Team: { query: { one(): Promise<{ players: unknown }> } } };
          const team = await PulledTeam.query.one();
          expect(((await team.players) as { id: number }[]).map((p) => p.id)).toEqual([7]);
        } finally {
          await m.db.close();
        }
      } finally {
        await made.dropAll();
        await made.close();
        await admin.engine.execute({ sql: 'DROP SCHEMA app CASCADE', params: [], returnsRows: false });
        await admin.close();
      }
    });
  }
});
