/**
 * Introspection on every dialect: tables made by models and by raw DDL are read back into schema
 * objects and compared with what the models produced; Chinook's known keys are found; reflected tables
 * are created again and reflect identically.
 */
import { afterAll, afterEach, expect } from 'vitest';
import {
  ArgumentError,
  Database,
  IntrospectionError,
  inspect,
  reflectMetaData,
  type ReflectedMetaData,
  type Table,
} from '../../src/index.js';
import { blogModels } from '../../examples/seed/blog.js';
import { loadChinook, type ChinookSetup } from '../support/chinook.js';
import { describeEachDialect, itOn, withDatabaseName, type DialectName } from '../support/databases.js';
import { typeOf } from '../support/schema-shape.js';

/** What a differ compares: names, types, nullability, keys, foreign keys, indexes, uniques. */
function shapeOf(table: Table) {
  return {
    name: table.name,
    columns: table.columns.map((c) => ({
      name: c.name,
      type: typeOf(c.type),
      nullable: c.nullable,
      primaryKey: c.primaryKey,
      unique: c.unique,
      autoincrement: c.autoincrement,
      serverDefault: c.serverDefault ?? null,
      comment: c.comment ?? null,
    })),
    comment: table.comment ?? null,
    primaryKey: table.primaryKey.map((c) => c.name),
    // The name DDL gives it: the declared one, else pk_<table>.
    primaryKeyName: table.primaryKey.length ? (table.primaryKeyConstraint?.name ?? `pk_${table.name}`) : null,
    foreignKeyConstraints: table.foreignKeyConstraints
      .filter((k) => k.columnNames.length > 1)
      .map((k) => ({
        name: k.name,
        columns: k.columnNames,
        targets: k.referredColumns.map((c) => `${c.table.name}.${c.name}`),
        onDelete: k.options.onDelete ?? null,
        onUpdate: k.options.onUpdate ?? null,
      })),
    checks: table.checks.map((c) => ({ name: c.name, sql: c.sql })),
    foreignKeys: table.foreignKeys
      .map((fk) => ({
        name: fk.constraintName,
        column: fk.parent.name,
        target: `${fk.column.table.name}.${fk.column.name}`,
        ondelete: fk.options.ondelete ?? null,
        onupdate: fk.options.onupdate ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    indexes: table.indexes
      .map((ix) => ({
        name: ix.name,
        columns: ix.columns?.map((c) => c.name) ?? null,
        unique: ix.unique,
        where: ix.where ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Everything reflected, as data (types by name and parameters), for comparing two reflections. */
function dataOf(reflected: ReflectedMetaData) {
  return [...reflected.tables.values()].map((r) => ({
    shape: shapeOf(r.table),
    info: { ...r.info, columns: r.info.columns.map((c) => ({ ...c, type: typeOf(c.type) })) },
  }));
}

/** Chinook's names on this dialect: the PostgreSQL script is snake_case. */
function chinookName(dialect: DialectName, name: string): string {
  return dialect === 'postgres' ? name.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toLowerCase() : name;
}

/** Raw DDL with what models cannot declare yet: composite keys, a CHECK, a default, an unknown type. */
function rawDdl(dialect: DialectName): string[] {
  const blob = dialect === 'postgres' ? 'BYTEA' : 'BLOB';
  const q = (s: string) => (dialect === 'mysql' ? `\`${s}\`` : `"${s}"`);
  const tail = dialect === 'mysql' ? ' ENGINE=InnoDB' : '';
  return [
    `CREATE TABLE ${q('parent')} (a INTEGER NOT NULL, b INTEGER NOT NULL, label VARCHAR(20) DEFAULT 'x', PRIMARY KEY (a, b))${tail}`,
    `CREATE TABLE ${q('child')} (id INTEGER NOT NULL PRIMARY KEY, a INTEGER, b INTEGER,
       amount NUMERIC(10, 2) NOT NULL DEFAULT 0, raw ${blob},
       CONSTRAINT ${q('fk_child_parent')} FOREIGN KEY (a, b) REFERENCES ${q('parent')} (a, b) ON DELETE CASCADE,
       CONSTRAINT ${q('uq_child_ab')} UNIQUE (a, b),
       CONSTRAINT ${q('ck_child_amount')} CHECK (amount >= 0))${tail}`,
    `CREATE INDEX ${q('ix_child_amount')} ON ${q('child')} (amount)`,
  ];
}

describeEachDialect('Introspection', (t) => {
  const it = itOn(t);
  let db: Database | undefined;
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = undefined;
  });
  // Chinook is loaded once per file: on the servers it goes into this file's own database.
  let chinookSetup: Promise<ChinookSetup> | undefined;
  const chinookOnce = () => (chinookSetup ??= loadChinook(t.dialect, t.url));
  afterAll(async () => {
    if (chinookSetup) await (await chinookSetup).dispose();
  });

  it('reads the blog tables back as the models produced them', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    blogModels(db);
    await db.createAll();
    const reflected = await db.reflect();
    const models = [...db.registry.metadata.tables.values()];
    expect([...reflected.metadata.tables.keys()].sort()).toEqual(models.map((m) => m.name).sort());
    for (const model of models) {
      expect(shapeOf(reflected.metadata.tables.get(model.name)!), model.name).toEqual(shapeOf(model));
    }
    // Foreign keys resolve inside the reflected MetaData, as a model's do.
    const post = reflected.metadata.tables.get('post')!;
    expect(post.foreignKeys[0]!.column.table).toBe(reflected.metadata.tables.get('user'));
  });

  it("reads every Relata type back as the model's own (SQLite's BIGINT aside: it is INTEGER there)", async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const table = db.Table(
      'every_type',
      db.Column('id', db.Integer, { primaryKey: true }),
      db.Column('big', db.BigInteger),
      db.Column('ratio', db.Float),
      db.Column('price', db.Numeric(12, 3), { nullable: false }),
      db.Column('code', db.String(12), { unique: true }),
      db.Column('body', db.Text),
      db.Column('flag', db.Boolean),
      db.Column('at', db.DateTime, { index: true }),
      db.Column('day', db.Date),
      db.Column('doc', db.JSON),
    );
    await db.createAll();
    const { tables } = await db.reflect({ tables: ['every_type'] });
    const reflected = tables.get('every_type')!;
    const expected = shapeOf(table);
    if (t.dialect === 'sqlite') expected.columns[1]!.type = { name: 'Integer' };
    expect(shapeOf(reflected.table)).toEqual(expected);
    // MariaDB's json_valid() CHECK is the JSON type, not a constraint of the model's.
    expect(reflected.info.checks).toEqual([]);
  });

  it('reads every catalog through the engine: statement events see each query', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    blogModels(db);
    await db.createAll();
    const events = await db.engine.recordQueries(() => reflectMetaData(db!.engine, { tables: ['tag'] }));
    expect(events.length).toBeGreaterThan(3);
  });

  it('reads raw DDL: composite keys, a CHECK, server defaults, an unknown type, named constraints', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    for (const sql of rawDdl(t.dialect)) await db.engine.execute({ sql, params: [] });
    try {
      const { tables } = await db.reflect({ tables: ['parent', 'child'] });
      const parent = tables.get('parent')!;
      const child = tables.get('child')!;
      expect(parent.info.primaryKey.columns).toEqual(['a', 'b']);
      expect(parent.table.primaryKey.map((c) => c.name)).toEqual(['a', 'b']);
      expect(parent.info.columns.find((c) => c.name === 'label')!.default).toContain("'x'");
      expect(typeOf(parent.table.column('label').type)).toEqual({ name: 'String', length: 20 });

      expect(child.compositeForeignKeys).toEqual([
        {
          name: 'fk_child_parent',
          columns: ['a', 'b'],
          referredTable: 'parent',
          referredColumns: ['a', 'b'],
          onDelete: 'CASCADE',
          onUpdate: null,
        },
      ]);
      expect(child.compositeUniqueConstraints).toEqual([{ name: 'uq_child_ab', columns: ['a', 'b'] }]);
      expect(child.info.indexes).toEqual([
        { name: 'ix_child_amount', columns: ['amount'], unique: false, where: null },
      ]);
      expect(child.table.indexes.map((ix) => ix.name)).toEqual(['ix_child_amount']);
      expect(child.info.checks.map((c) => c.name)).toEqual(['ck_child_amount']);
      expect(child.info.checks[0]!.sql).toMatch(/amount/);

      const amount = child.info.columns.find((c) => c.name === 'amount')!;
      expect(typeOf(amount.type)).toEqual({ name: 'Numeric', precision: 10, scale: 2 });
      expect(amount.nullable).toBe(false);
      expect(amount.default).toMatch(/^'?0/);
      const raw = child.info.columns.find((c) => c.name === 'raw')!;
      expect(raw.type.typeName).toBe('LargeBinary');
      expect(raw.typeText.toLowerCase()).toMatch(/^(blob|bytea)$/);

      // The Table holds all of it, as a model declaring it would.
      expect(parent.table.primaryKeyConstraint?.columnNames).toEqual(['a', 'b']);
      expect(parent.table.column('label').serverDefault).toContain("'x'");
      expect(child.table.column('amount').serverDefault).toMatch(/^'?0/);
      const fkc = child.table.foreignKeyConstraints.find((k) => k.columnNames.length === 2)!;
      expect([fkc.name, fkc.options.onDelete, fkc.options.onUpdate]).toEqual(['fk_child_parent', 'CASCADE', undefined]);
      expect(fkc.referredColumns.map((c) => `${c.table.name}.${c.name}`)).toEqual(['parent.a', 'parent.b']);
      expect(child.table.checks.map((c) => [c.name, /amount/.test(c.sql)])).toEqual([['ck_child_amount', true]]);
      expect(child.info.columns.find((c) => c.name === 'id')!.autoincrement).toBe(t.dialect === 'sqlite');
    } finally {
      await db.engine.execute({ sql: 'DROP TABLE child', params: [] });
      await db.engine.execute({ sql: 'DROP TABLE parent', params: [] });
    }
  });

  it('reads what each database has of its own: comments, enums, partial and expression indexes', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const run = (sql: string) => db!.engine.execute({ sql, params: [] });
    const ddl: Record<DialectName, string[]> = {
      sqlite: [
        `CREATE TABLE "item" (id INTEGER PRIMARY KEY, name TEXT, flag BOOLEAN, big BIGINT, doc JSON, at DATETIME)`,
        `CREATE INDEX "ix_item_lower" ON "item" (lower(name))`,
        `CREATE UNIQUE INDEX "ix_item_flagged" ON "item" (name) WHERE flag = 1`,
      ],
      postgres: [
        `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`,
        `CREATE TABLE "item" (id SERIAL PRIMARY KEY, name TEXT, flag BOOLEAN, big BIGINT, doc JSONB, at TIMESTAMP, m mood, s SMALLINT)`,
        `COMMENT ON TABLE "item" IS 'things'`,
        `COMMENT ON COLUMN "item".name IS 'what it is called'`,
        `CREATE INDEX "ix_item_lower" ON "item" (lower(name))`,
        `CREATE UNIQUE INDEX "ix_item_flagged" ON "item" (name) WHERE flag`,
      ],
      mysql: [
        `CREATE TABLE \`item\` (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) COMMENT 'what it is called',
           flag TINYINT(1), big BIGINT, doc JSON, at DATETIME(6), m ENUM('sad', 'ok', 'happy'), s SMALLINT) COMMENT 'things'`,
      ],
    };
    for (const sql of ddl[t.dialect]) await run(sql);
    try {
      const info = await inspect(db).reflectTable('item');
      const type = (name: string) => typeOf(info.columns.find((c) => c.name === name)!.type);
      expect(type('flag')).toEqual({ name: 'Boolean' });
      expect(type('big')).toEqual({ name: 'BigInteger' });
      expect(type('doc')).toEqual({ name: 'JSON' });
      expect(type('at')).toEqual({ name: 'DateTime' });
      expect(info.columns.find((c) => c.name === 'id')!.autoincrement).toBe(true);
      expect(info.columns.find((c) => c.name === 'id')!.default).toBeNull();
      if (t.dialect !== 'sqlite') {
        expect(info.comment).toBe('things');
        expect(info.columns.find((c) => c.name === 'name')!.comment).toBe('what it is called');
        expect(info.columns.find((c) => c.name === 'm')!.enumValues).toEqual(['sad', 'ok', 'happy']);
        expect(type('m')).toEqual({
          name: 'Enum',
          values: ['sad', 'ok', 'happy'],
          ...(t.dialect === 'postgres' && { enumName: 'mood' }),
        });
        expect(type('s')).toEqual({
          name: 'Unknown',
          sqlText: t.dialect === 'postgres' ? 'smallint' : expect.stringMatching(/^smallint/),
        });
      }
      if (t.dialect !== 'mysql') {
        expect(info.indexes).toEqual([
          { name: 'ix_item_flagged', columns: ['name'], unique: true, where: expect.stringMatching(/flag/) },
          { name: 'ix_item_lower', columns: [null], expressions: ['lower(name)'], unique: false, where: null },
        ]);
        // The partial one is an Index with its WHERE; the expression one an Index of its text().
        const { tables } = await db.reflect({ tables: ['item'] });
        expect(
          tables
            .get('item')!
            .table.indexes.map((ix) => [
              ix.name,
              ix.unique,
              /flag/.test(ix.where ?? ''),
              ix.elements.map((e) => ('text' in e ? e.text : e.name)),
            ]),
        ).toEqual([
          ['ix_item_flagged', true, true, ['name']],
          ['ix_item_lower', false, false, ['lower(name)']],
        ]);
      }
    } finally {
      await run('DROP TABLE item');
      if (t.dialect === 'postgres') await run('DROP TYPE mood');
    }
  });

  it('reads another schema when told (PostgreSQL schema, MySQL database, SQLite attached database)', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const run = (sql: string) => db!.engine.execute({ sql, params: [] });
    const other = `${t.dialect === 'sqlite' ? 'aux' : 'relata_other'}_${process.pid}`;
    const setup: Record<DialectName, string[]> = {
      sqlite: [`ATTACH DATABASE ':memory:' AS ${other}`, `CREATE TABLE ${other}.elsewhere (id INTEGER PRIMARY KEY)`],
      postgres: [`CREATE SCHEMA ${other}`, `CREATE TABLE ${other}.elsewhere (id INTEGER PRIMARY KEY)`],
      mysql: [`CREATE DATABASE ${other}`, `CREATE TABLE ${other}.elsewhere (id INTEGER PRIMARY KEY)`],
    };
    const teardown: Record<DialectName, string> = {
      sqlite: `DETACH DATABASE ${other}`,
      postgres: `DROP SCHEMA ${other} CASCADE`,
      mysql: `DROP DATABASE ${other}`,
    };
    for (const sql of setup[t.dialect]) await run(sql);
    try {
      expect(await inspect(db).getTableNames()).toEqual([]);
      expect(await inspect(db, { schema: other }).getTableNames()).toEqual(['elsewhere']);
      const { metadata } = await reflectMetaData(db.engine, { schema: other });
      // The Table says where it lives: keyed by its full name, as a model with that schema is.
      const elsewhere = metadata.tables.get(`${other}.elsewhere`)!;
      expect(elsewhere.primaryKey.map((c) => c.name)).toEqual(['id']);
      expect([elsewhere.schema, elsewhere.fullName]).toEqual([other, `${other}.elsewhere`]);
    } finally {
      await run(teardown[t.dialect]);
    }
  });

  it('names the table that does not exist, and refuses an unknown option', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    await expect(inspect(db).getColumns('nope')).rejects.toThrow(IntrospectionError);
    await expect(inspect(db).getColumns('nope')).rejects.toThrow(/table 'nope' does not exist/);
    await expect(reflectMetaData(db.engine, { table: ['x'] } as never)).rejects.toThrow(/unknown option 'table'/);
    await expect(reflectMetaData(db.engine, { table: ['x'] } as never)).rejects.toThrow(ArgumentError);
  });

  it('round trip: reflected tables created again reflect identically', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    blogModels(db);
    await db.createAll();
    const first = await db.reflect();
    await db.dropAll();
    for (const table of first.metadata.sortedTables()) {
      for (const sql of db.engine.dialect.compiler.createTable(table)) await db.engine.execute({ sql, params: [] });
    }
    const second = await db.reflect();
    expect(dataOf(second)).toEqual(dataOf(first));
  });

  it('round trip into another database: named composite keys, composite FKs with actions, CHECKs, server defaults, comments, Enum, Uuid, LargeBinary, arrays', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    db.Table(
      'rt_region',
      db.Column('code', db.String(8)),
      db.Column('zone', db.Integer),
      db.Column('label', db.String(40), { serverDefault: "'none'", comment: 'shown to users' }),
      db.PrimaryKeyConstraint(['zone', 'code'], { name: 'pk_rt_region_custom' }),
      { comment: 'regions of the world' },
    );
    const office = db.Table(
      'rt_office',
      db.Column('id', db.Integer, { primaryKey: true }),
      db.Column('code', db.String(8)),
      db.Column('zone', db.Integer),
      db.Column('status', db.Enum(['open', 'closed'], { name: 'rt_office_state' }), { serverDefault: "'open'" }),
      db.Column('key', db.Uuid),
      db.Column('logo', db.LargeBinary),
      db.Column('seats', db.Integer, { serverDefault: '0' }),
      ...(t.dialect === 'postgres' ? [db.Column('tags', db.ArrayOf(db.String(20)))] : []),
      db.ForeignKeyConstraint(['zone', 'code'], ['rt_region.zone', 'rt_region.code'], {
        name: 'fk_rt_office_region',
        onDelete: 'CASCADE',
        onUpdate: 'CASCADE',
      }),
      db.CheckConstraint('seats >= 0', { name: 'ck_rt_office_zone' }),
      ...(t.dialect === 'mysql' ? [] : [db.Index('ix_rt_office_open', ['code'], { where: "status = 'open'" })]),
    );
    await db.createAll();
    const copyName = `relata_rt_${process.pid}`;
    const quoted = t.dialect === 'mysql' ? `\`${copyName}\`` : `"${copyName}"`;
    // Directly, not through a pooler: PgBouncer would keep a connection to the copy, and DROP DATABASE fail.
    const admin = new Database(t.directUrl, { nPlusOne: 'off' });
    if (t.dialect !== 'sqlite') await admin.engine.execute({ sql: `CREATE DATABASE ${quoted}`, params: [] });
    const copy = new Database(t.dialect === 'sqlite' ? 'sqlite://' : withDatabaseName(t.directUrl, copyName), {
      nPlusOne: 'off',
    });
    try {
      const first = await db.reflect();
      const r = first.metadata.tables.get('rt_region')!;
      const o = first.metadata.tables.get('rt_office')!;
      // Against the model: what each database keeps of it.
      expect(r.primaryKey.map((c) => c.name)).toEqual(['zone', 'code']);
      // MySQL calls every primary key PRIMARY: the name is not kept there.
      expect(r.primaryKeyConstraint?.name).toBe(t.dialect === 'mysql' ? 'pk_rt_region' : 'pk_rt_region_custom');
      expect(r.column('label').serverDefault).toMatch(/^'none'/);
      expect(o.column('status').serverDefault).toMatch(/^'open'/);
      expect([r.comment, r.column('label').comment]).toEqual(
        t.dialect === 'sqlite' ? [undefined, undefined] : ['regions of the world', 'shown to users'],
      );
      const model = shapeOf(office);
      const reflected = shapeOf(o);
      expect(reflected.foreignKeyConstraints).toEqual(model.foreignKeyConstraints);
      expect(reflected.checks.map((c) => c.name)).toEqual(['ck_rt_office_zone']);
      expect(reflected.indexes.map((ix) => [ix.name, ix.columns, ix.where !== null])).toEqual(
        model.indexes.map((ix) => [ix.name, ix.columns, ix.where !== null]),
      );
      const types = Object.fromEntries(o.columns.map((c) => [c.name, typeOf(c.type)]));
      expect(types.status).toEqual({
        name: 'Enum',
        values: ['open', 'closed'],
        ...(t.dialect === 'postgres' && { enumName: 'rt_office_state' }),
      });
      expect([types.key, types.logo]).toEqual([{ name: 'Uuid' }, { name: 'LargeBinary' }]);
      if (t.dialect === 'postgres') expect(types.tags).toEqual({ name: 'Array', item: { name: 'String', length: 20 } });
      expect(first.tables.get('rt_office')!.info.checks).toHaveLength(1); // SQLite's Enum CHECK is the type

      // Created in another database from the reflection, it reflects the same.
      await copy.engine.execute({ sql: 'SELECT 1', params: [] });
      for (const table of first.metadata.sortedTables()) {
        for (const sql of copy.engine.dialect.compiler.createTable(table))
          await copy.engine.execute({ sql, params: [] });
      }
      const again = await copy.reflect();
      expect(dataOf(again)).toEqual(dataOf(first));
      await copy.dropAll();
    } finally {
      await copy.close();
      if (t.dialect !== 'sqlite') await admin.engine.execute({ sql: `DROP DATABASE ${quoted}`, params: [] });
      await admin.close();
    }
  });

  it('Chinook: Track refers to Album, MediaType and Genre; PlaylistTrack has a composite key; Employee refers to itself', async () => {
    const chinook = await chinookOnce();
    const cdb = new Database(chinook.url, { nPlusOne: 'off' });
    try {
      const n = (s: string) => chinookName(t.dialect, s);
      const { metadata, tables } = await reflectMetaData(cdb.engine);
      expect(metadata.tables.size).toBe(11);
      const track = metadata.tables.get(n('Track'))!;
      const targets = track.foreignKeys.map((fk) => `${fk.parent.name} -> ${fk.column.table.name}.${fk.column.name}`);
      expect(targets.sort()).toEqual(
        [
          `${n('AlbumId')} -> ${n('Album')}.${n('AlbumId')}`,
          `${n('GenreId')} -> ${n('Genre')}.${n('GenreId')}`,
          `${n('MediaTypeId')} -> ${n('MediaType')}.${n('MediaTypeId')}`,
        ].sort(),
      );
      expect(typeOf(track.column(n('Name')).type)).toEqual({ name: 'String', length: 200 });
      expect(typeOf(track.column(n('UnitPrice')).type)).toEqual({ name: 'Numeric', precision: 10, scale: 2 });
      expect(track.column(n('Name')).nullable).toBe(false);
      expect(tables.get(n('PlaylistTrack'))!.info.primaryKey.columns).toEqual([n('PlaylistId'), n('TrackId')]);
      const employee = metadata.tables.get(n('Employee'))!;
      const reportsTo = employee.column(n('ReportsTo')).foreignKeys[0]!;
      expect(reportsTo.column).toBe(employee.column(n('EmployeeId')));
    } finally {
      await cdb.close();
    }
  });

  it('round trip: Chinook reflected, created in another database, reflects the same tables', async () => {
    const chinook = await chinookOnce();
    const source = new Database(chinook.url, { nPlusOne: 'off' });
    // CREATE/DROP DATABASE and the copy bypass a pooler: PgBouncer keeps a server connection to the
    // copy after the test closes its own, and DROP DATABASE then fails with 55006.
    const admin = new Database(t.directUrl, { nPlusOne: 'off' });
    const copyName = `relata_copy_${process.pid}`;
    const quoted = t.dialect === 'mysql' ? `\`${copyName}\`` : `"${copyName}"`;
    if (t.dialect !== 'sqlite') await admin.engine.execute({ sql: `CREATE DATABASE ${quoted}`, params: [] });
    const copy = new Database(t.dialect === 'sqlite' ? 'sqlite://' : withDatabaseName(t.directUrl, copyName), {
      nPlusOne: 'off',
    });
    try {
      const original = await reflectMetaData(source.engine);
      await copy.engine.execute({ sql: 'SELECT 1', params: [] }); // MySQL's compiler adapts to the server on connect
      for (const table of original.metadata.sortedTables()) {
        for (const sql of copy.engine.dialect.compiler.createTable(table))
          await copy.engine.execute({ sql, params: [] });
      }
      const again = await copy.reflect();
      const shapes = (r: ReflectedMetaData) => [...r.metadata.tables.values()].map(shapeOf);
      expect(shapes(again)).toEqual(shapes(original));
      expect(shapes(again)).toHaveLength(11);
    } finally {
      await copy.close();
      if (t.dialect !== 'sqlite') await admin.engine.execute({ sql: `DROP DATABASE ${quoted}`, params: [] });
      await admin.close();
      await source.close();
    }
  });
});
