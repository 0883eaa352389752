/**
 * The schema differ on every dialect: no drift right after createAll() (blog, Chinook, and a model
 * set using every type and constraint), then each kind of change, made on the database with raw DDL
 * or on the models, reported exactly once with the right `destructive`.
 */
import { afterEach, expect } from 'vitest';
import { compareSchemas, Database, describeSchemaChange, type SchemaChange } from '../../src/index.js';
import { blogModels } from '../../examples/seed/blog.js';
import { chinookModels } from '../../examples/chinook/models.js';
import { describeEachDialect, itOn, type DialectName } from '../support/databases.js';
import { changeSubject } from '../support/schema-changes.js';

/** The changes between `models` (default: db's own) and db's database. */
async function diff(db: Database, models: Database = db): Promise<SchemaChange[]> {
  models.registry.configure();
  const live = await db.reflect();
  return compareSchemas(models.registry.metadata, live.metadata, { dialect: db.engine.dialect });
}

/** A change as data to assert on: kind, table, what it names, destructive. */
function summary(c: SchemaChange): [string, string, string, boolean] {
  return [c.kind, c.table, changeSubject(c), c.destructive];
}

const q = (dialect: DialectName, name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);

/** The schema PostgreSQL's tables of `everything()` use besides the default one. */
const APP_SCHEMA = `ev_app_${process.pid}`;

/**
 * Every type and constraint the differ compares: composite primary and foreign keys with names and
 * actions, CHECKs (named and not), UNIQUEs (column and multi-column), plain, composite, unique,
 * partial and expression indexes, server defaults of every kind, comments, Enum (named and not), Uuid,
 * LargeBinary, a TypeDecorator, and on PostgreSQL arrays and a table in another schema.
 */
function everything(db: Database, dialect: DialectName, mariadb: boolean) {
  const now = dialect === 'mysql' ? 'CURRENT_TIMESTAMP(6)' : 'CURRENT_TIMESTAMP';
  const region = db.Table(
    'ev_region',
    db.Column('zone', db.Integer),
    db.Column('code', db.String(8)),
    db.Column('label', db.String(40), { serverDefault: "'none'", comment: "shown to users, it's said" }),
    db.PrimaryKeyConstraint(['zone', 'code'], { name: 'pk_ev_region_custom' }),
    { comment: 'regions of the world' },
  );
  const cents = db.TypeDecorator(db.Integer, {
    toDriver: (v: number) => Math.round(v * 100),
    fromDriver: (v: number) => v / 100,
  });
  const office = db.Table(
    'ev_office',
    db.Column('id', db.Integer, { primaryKey: true }),
    db.Column('zone', db.Integer, { nullable: false }),
    db.Column('code', db.String(8), { nullable: false }),
    db.Column('status', db.Enum(['open', 'closed'], { name: 'ev_office_state' }), { serverDefault: "'open'" }),
    db.Column('kind', db.Enum(['hq', 'branch', "o'clock"])),
    db.Column('key', db.Uuid, { unique: true }),
    db.Column('logo', db.LargeBinary),
    db.Column('seats', db.Integer, { nullable: false, serverDefault: '0' }),
    db.Column('price', db.Numeric(10, 2), { serverDefault: '0' }),
    db.Column('ratio', db.Float, { serverDefault: '-1.5' }),
    db.Column('big', db.BigInteger),
    db.Column('flag', db.Boolean, { nullable: false, serverDefault: dialect === 'postgres' ? 'true' : '1' }),
    db.Column('opened_at', db.DateTime, { serverDefault: now }),
    db.Column('day', db.Date),
    db.Column('doc', db.JSON),
    db.Column('body', db.Text, { comment: 'free text' }),
    db.Column('email', db.String(200), { index: true }),
    db.Column('rent', cents),
    db.Column('title', db.String()),
    ...(dialect === 'postgres' ? [db.Column('tags', db.ArrayOf(db.String(20)), { serverDefault: "'{}'" })] : []),
    db.ForeignKeyConstraint(['zone', 'code'], ['ev_region.zone', 'ev_region.code'], {
      name: 'fk_ev_office_region',
      onDelete: 'CASCADE',
      onUpdate: 'CASCADE',
    }),
    db.UniqueConstraint(['zone', 'email'], { name: 'uq_ev_office_zone_mail' }),
    db.UniqueConstraint(['code', 'title']),
    db.CheckConstraint('seats >= 0', { name: 'ck_ev_office_seats' }),
    db.CheckConstraint("status IN ('open', 'closed') OR seats > 0"),
    db.Index('ix_ev_office_zone_code', ['zone', 'code', 'id']),
    db.Index('ux_ev_office_code', ['code', 'id'], { unique: true }),
    ...(dialect === 'mysql' ? [] : [db.Index('ix_ev_office_open', ['code'], { where: "status = 'open'" })]),
    ...(mariadb ? [] : [db.Index('ix_ev_office_lower', [db.text('lower(email)')])]),
    { comment: 'offices' },
  );
  const tables = [region, office];
  if (dialect === 'postgres') {
    tables.push(
      db.Table(
        'ev_remote',
        db.Column('id', db.Integer, { primaryKey: true }),
        db.Column('zone', db.Integer),
        db.Column('code', db.String(8)),
        db.Column('office_id', db.Integer, db.ForeignKey('ev_office.id', { ondelete: 'SET NULL' })),
        db.ForeignKeyConstraint(['zone', 'code'], ['ev_region.zone', 'ev_region.code']),
        { schema: APP_SCHEMA },
      ),
    );
  }
  return tables;
}

describeEachDialect('Schema differ', (t) => {
  const it = itOn(t);
  const opened: Database[] = [];
  const open = (url = t.url) => {
    const db = new Database(url, { nPlusOne: 'off' });
    opened.push(db);
    return db;
  };
  /** A Database holding models only: compared against another's database, never connected. */
  const models = () => open('sqlite://');
  const run = (db: Database, sql: string) => db.engine.execute({ sql, params: [] });
  afterEach(async () => {
    const first = opened[0];
    if (first && first.engine.dialect.name === t.dialect) await first.dropAll();
    for (const db of opened.splice(0)) await db.close();
  });

  it('finds no drift right after createAll(): the blog models', async () => {
    const db = open();
    blogModels(db);
    await db.createAll();
    expect((await diff(db)).map(describeSchemaChange)).toEqual([]);
  });

  it('finds no drift right after createAll(): the Chinook models', async () => {
    const db = open();
    chinookModels(db);
    await db.createAll();
    expect((await diff(db)).map(describeSchemaChange)).toEqual([]);
  });

  /** Whether this MySQL-dialect server is MariaDB (which cannot index expressions). */
  const isMariaDb = async (db: Database) =>
    t.dialect === 'mysql' &&
    /mariadb/i.test(String((await db.engine.execute({ sql: 'SELECT VERSION()', params: [] })).rows[0]![0]));

  it('finds no drift right after createAll(): every type and constraint, and tables in another schema', async () => {
    const db = open();
    if (t.dialect === 'postgres') await run(db, `CREATE SCHEMA IF NOT EXISTS ${APP_SCHEMA}`);
    try {
      everything(db, t.dialect, await isMariaDb(db));
      await db.createAll();
      expect((await db.checkSchema()).map((d) => d.description)).toEqual([]);
      // The same with the compiler as the dialect, and only some tables.
      const live = await db.reflect();
      expect(
        compareSchemas(db.registry.metadata, live.metadata, {
          dialect: db.engine.dialect.compiler,
          include: (name) => name === 'ev_office',
        }),
      ).toEqual([]);
    } finally {
      await db.dropAll();
      if (t.dialect === 'postgres') await run(db, `DROP SCHEMA ${APP_SCHEMA} CASCADE`);
    }
  });

  it("finds no drift against another tool's spelling of the same schema: serial, TINYINT(1), BIGINT on SQLite, int(11), casts", async () => {
    const db = open();
    const ddl: Record<DialectName, string> = {
      sqlite: `CREATE TABLE "eq" (id INTEGER PRIMARY KEY, big BIGINT, flag BOOLEAN DEFAULT TRUE, name varchar(20) DEFAULT 'x',
        n numeric(10,2) DEFAULT 0.00, at DATETIME DEFAULT current_timestamp)`,
      postgres: `CREATE TABLE "eq" (id SERIAL PRIMARY KEY, big int8, flag bool DEFAULT true, name character varying(20) DEFAULT 'x',
        n numeric(10,2) DEFAULT 0.00, at timestamptz DEFAULT now())`,
      mysql: `CREATE TABLE eq (id int(11) NOT NULL AUTO_INCREMENT PRIMARY KEY, big bigint(20), flag tinyint(1) DEFAULT 1,
        name varchar(20) DEFAULT 'x', n decimal(10,2) DEFAULT 0.00, at datetime(6) DEFAULT CURRENT_TIMESTAMP(6))`,
    };
    await run(db, ddl[t.dialect]);
    try {
      const holder = models();
      holder.Table(
        'eq',
        holder.Column('id', holder.Integer, { primaryKey: true }),
        holder.Column('big', holder.BigInteger),
        holder.Column('flag', holder.Boolean, { serverDefault: 'true' }),
        holder.Column('name', holder.String(20), { serverDefault: "'x'" }),
        holder.Column('n', holder.Numeric(10, 2), { serverDefault: '0' }),
        holder.Column('at', holder.DateTime, { serverDefault: 'CURRENT_TIMESTAMP' }),
      );
      expect((await diff(db, holder)).map(describeSchemaChange)).toEqual([]);
    } finally {
      await run(db, `DROP TABLE ${q(t.dialect, 'eq')}`);
    }
  });

  it('reports a table the models add (referred tables first) and one the database has extra', async () => {
    const db = open();
    blogModels(db);
    await db.createAll();
    // Created child first under a name that sorts first: the drops must still put the referrer first.
    await run(db, `CREATE TABLE ${q(t.dialect, 'legacy')} (id INTEGER PRIMARY KEY)`);
    await run(
      db,
      `CREATE TABLE ${q(t.dialect, 'a_legacy_child')} (id INTEGER PRIMARY KEY, legacy_id INTEGER REFERENCES ${q(t.dialect, 'legacy')} (id))`,
    );
    const holder = models();
    blogModels(holder);
    holder.Table(
      'comment',
      holder.Column('id', holder.Integer, { primaryKey: true }),
      holder.Column('post_id', holder.Integer, holder.ForeignKey('post.id')),
    );
    holder.Table('a_first', holder.Column('id', holder.Integer, { primaryKey: true }));
    try {
      expect((await diff(db, holder)).map(summary)).toEqual([
        ['add-table', 'comment', '', false],
        ['add-table', 'a_first', '', false],
        ['drop-table', 'a_legacy_child', '', true],
        ['drop-table', 'legacy', '', true],
      ]);
      // include leaves tables out, on both sides.
      const live = await db.reflect();
      const only = compareSchemas(holder.registry.metadata, live.metadata, {
        dialect: db.engine.dialect,
        include: (name) => name !== 'comment' && !name.includes('legacy'),
      });
      expect(only.map(summary)).toEqual([['add-table', 'a_first', '', false]]);
    } finally {
      await run(db, `DROP TABLE ${q(t.dialect, 'a_legacy_child')}`);
      await run(db, `DROP TABLE ${q(t.dialect, 'legacy')}`);
    }
  });

  it('reports columns added, dropped and altered on the models, each once, destructive where data may be lost', async () => {
    const db = open();
    db.Table(
      'item',
      db.Column('id', db.Integer, { primaryKey: true }),
      db.Column('name', db.String(40)),
      db.Column('qty', db.Integer, { nullable: false }),
      db.Column('note', db.Text),
      db.Column('status', db.String(10), { serverDefault: "'new'" }),
      db.Column('gone', db.Integer),
    );
    await db.createAll();
    const holder = models();
    holder.Table(
      'item',
      holder.Column('id', holder.Integer, { primaryKey: true }),
      holder.Column('name', holder.String(80)),
      holder.Column('qty', holder.Integer),
      holder.Column('note', holder.Text, { nullable: false }),
      holder.Column('status', holder.String(10), { serverDefault: "'old'" }),
      holder.Column('added', holder.Boolean),
    );
    expect((await diff(db, holder)).map(summary)).toEqual([
      ['add-column', 'item', 'added', false],
      ['alter-column', 'item', 'name:type', true],
      ['alter-column', 'item', 'qty:nullable', false],
      ['alter-column', 'item', 'note:nullable', true],
      ['alter-column', 'item', 'status:serverDefault', false],
      ['drop-column', 'item', 'gone', true],
    ]);
  });

  /** The base shop schema the change tests start from. */
  function shopModels(db: Database) {
    db.Table('vendor', db.Column('id', db.Integer, { primaryKey: true }), db.Column('code', db.String(10)));
    db.Table(
      'shop',
      db.Column('id', db.Integer, { primaryKey: true }),
      db.Column('vendor_id', db.Integer, db.ForeignKey('vendor.id', { ondelete: 'CASCADE' })),
      db.Column('name', db.String(40), { index: true }),
      db.Column('city', db.String(40), { comment: 'town' }),
      db.Column('zip', db.String(10), { unique: true }),
      db.Column('score', db.Integer),
      db.Column('status', db.Enum(['a', 'b'])),
      db.CheckConstraint('score >= 0', { name: 'ck_shop_score' }),
      db.Index('ix_shop_city', ['city']),
      { comment: 'shops' },
    );
    db.Table(
      'pair',
      db.Column('a', db.Integer, { primaryKey: true, autoincrement: false }),
      db.Column('b', db.Integer, { nullable: false }),
    );
  }

  it('reports each kind of key, index, UNIQUE, CHECK and comment change made on the models, drops before adds', async () => {
    const db = open();
    shopModels(db);
    await db.createAll();
    const holder = models();
    holder.Table(
      'vendor',
      holder.Column('id', holder.Integer, { primaryKey: true }),
      holder.Column('code', holder.String(10)),
    );
    holder.Table(
      'shop',
      holder.Column('id', holder.Integer, { primaryKey: true }),
      holder.Column('vendor_id', holder.Integer, holder.ForeignKey('vendor.id', { ondelete: 'SET NULL' })),
      holder.Column('name', holder.String(40)),
      holder.Column('city', holder.String(40), { comment: 'city' }),
      holder.Column('zip', holder.String(10)),
      holder.Column('score', holder.Integer, { unique: true }),
      holder.Column('status', holder.Enum(['a', 'b', 'c'])),
      holder.CheckConstraint('score < 100', { name: 'ck_shop_max' }),
      holder.Index('ix_shop_city', ['city', 'name']),
      holder.Index('ix_shop_zip', ['zip']),
      { comment: 'stores' },
    );
    holder.Table(
      'pair',
      holder.Column('a', holder.Integer),
      holder.Column('b', holder.Integer),
      holder.PrimaryKeyConstraint(['a', 'b']),
    );
    const comments = t.dialect !== 'sqlite';
    expect((await diff(db, holder)).map(summary)).toEqual([
      ['drop-foreign-key', 'shop', 'vendor_id', false],
      ['drop-check', 'shop', 'ck_shop_score', false],
      ['drop-index', 'shop', 'ix_shop_city', false],
      ['drop-unique', 'shop', 'uq_shop_zip', false],
      ['drop-index', 'shop', 'ix_shop_name', false],
      ...(comments ? [['alter-column', 'shop', 'city:comment', false]] : []),
      ['alter-column', 'shop', 'status:type', true],
      ['add-unique', 'shop', 'uq_shop_score', false],
      ['add-index', 'shop', 'ix_shop_city', false],
      ['add-index', 'shop', 'ix_shop_zip', false],
      ['add-check', 'shop', 'ck_shop_max', false],
      ['add-foreign-key', 'shop', 'vendor_id', false],
      ...(comments ? [['alter-table-comment', 'shop', 'shops->stores', false]] : []),
      ['alter-primary-key', 'pair', 'a->a,b', false],
    ]);
  });

  it('reports changes made on the database with raw DDL, and ignores the migrations version table', async () => {
    const db = open();
    shopModels(db);
    await db.createAll();
    const shop = q(t.dialect, 'shop');
    await run(db, `ALTER TABLE ${shop} ADD COLUMN extra INTEGER`);
    await run(db, `CREATE INDEX ${q(t.dialect, 'ix_shop_score')} ON ${shop} (score)`);
    await run(db, `DROP INDEX ${q(t.dialect, 'ix_shop_name')}${t.dialect === 'mysql' ? ` ON ${shop}` : ''}`);
    await run(db, `CREATE TABLE ${q(t.dialect, 'relata_migrations')} (id VARCHAR(100) PRIMARY KEY)`);
    const ddl: Record<DialectName, string[]> = {
      sqlite: [],
      postgres: [
        'ALTER TABLE shop ALTER COLUMN name TYPE VARCHAR(80)',
        'ALTER TABLE shop ALTER COLUMN score SET DEFAULT 5',
        'ALTER TABLE shop ALTER COLUMN score SET NOT NULL',
        `COMMENT ON TABLE shop IS 'changed'`,
      ],
      mysql: [
        'ALTER TABLE shop MODIFY name VARCHAR(80)',
        'ALTER TABLE shop MODIFY score INT NOT NULL DEFAULT 5',
        `ALTER TABLE shop COMMENT = 'changed'`,
      ],
    };
    for (const sql of ddl[t.dialect]) await run(db, sql);
    try {
      const server = t.dialect !== 'sqlite';
      const changes = await diff(db);
      expect(changes.map(summary)).toEqual([
        ['drop-index', 'shop', 'ix_shop_score', false],
        ...(server
          ? [
              ['alter-column', 'shop', 'name:type', true],
              // The database has NOT NULL and the model does not: relaxing it loses nothing.
              ['alter-column', 'shop', 'score:nullable+serverDefault', false],
            ]
          : []),
        ['drop-column', 'shop', 'extra', true],
        ['add-index', 'shop', 'ix_shop_name', false],
        ...(server ? [['alter-table-comment', 'shop', 'changed->shops', false]] : []),
      ]);
      expect(changes.map(describeSchemaChange)).toEqual([
        "table 'shop': drop index ix_shop_score (score)",
        ...(server
          ? [
              "table 'shop': alter column name: type String(80) -> String(40) (destructive)",
              "table 'shop': alter column score: NOT NULL -> nullable, server default 5 -> none",
            ]
          : []),
        "table 'shop': drop column extra, which the model does not have (destructive)",
        "table 'shop': add index ix_shop_name (name)",
        ...(server ? [`table 'shop': table comment "changed" -> "shops"`] : []),
      ]);
      // checkSchema says the same, each change with its line.
      expect((await db.checkSchema()).map((d) => d.description)).toEqual(changes.map(describeSchemaChange));
    } finally {
      await run(db, `DROP TABLE ${q(t.dialect, 'relata_migrations')}`);
    }
  });

  it('reports constraints dropped on the database (PostgreSQL, MySQL: SQLite cannot drop one)', async () => {
    if (t.dialect === 'sqlite') return;
    const db = open();
    shopModels(db);
    await db.createAll();
    const ddl =
      t.dialect === 'postgres'
        ? [
            'ALTER TABLE shop DROP CONSTRAINT ck_shop_score',
            'ALTER TABLE shop DROP CONSTRAINT uq_shop_zip',
            'ALTER TABLE shop DROP CONSTRAINT fk_shop_vendor_id_vendor',
            'ALTER TABLE pair DROP CONSTRAINT pk_pair',
          ]
        : [
            'ALTER TABLE shop DROP CONSTRAINT ck_shop_score',
            'ALTER TABLE shop DROP INDEX uq_shop_zip',
            'ALTER TABLE shop DROP FOREIGN KEY fk_shop_vendor_id_vendor',
            'ALTER TABLE pair DROP PRIMARY KEY',
          ];
    for (const sql of ddl) await run(db, sql);
    expect((await diff(db)).map(summary)).toEqual([
      // InnoDB keeps the index it made for the foreign key: an index the model does not declare.
      ...(t.dialect === 'mysql' ? [['drop-index', 'shop', 'fk_shop_vendor_id_vendor', false]] : []),
      ['add-unique', 'shop', 'uq_shop_zip', false],
      ['add-check', 'shop', 'ck_shop_score', false],
      ['add-foreign-key', 'shop', 'vendor_id', false],
      ['alter-primary-key', 'pair', '->a', false],
    ]);
  });

  it('createAll() warns about a table it skipped because it exists with another shape, naming it and what differs', async () => {
    const warnings: string[] = [];
    const db = new Database(t.url, { nPlusOne: 'off', warn: (m) => warnings.push(m) });
    opened.push(db);
    blogModels(db);
    await db.createAll();
    await db.createAll();
    expect(warnings).toEqual([]);
    await run(db, `ALTER TABLE ${q(t.dialect, 'post')} ADD COLUMN legacy INTEGER`);
    await db.createAll();
    expect(warnings).toEqual([
      "createAll(): table 'post' already exists with another shape and was left as it is: drop column legacy, " +
        'which the model does not have (destructive). createAll() only creates missing tables: change existing ' +
        'ones with a migration (relata migrate generate), or list the differences with db.checkSchema()',
    ]);
  });

  it('reports changed index parts, WHERE, uniqueness and composite foreign key actions as a drop and an add', async () => {
    const db = open();
    const mariadb = await isMariaDb(db);
    const declare = (d: Database, v: 1 | 2) => {
      d.Table(
        'cx_parent',
        d.Column('a', d.Integer),
        d.Column('b', d.Integer),
        d.Column('email', d.String(40)),
        d.PrimaryKeyConstraint(['a', 'b']),
        d.UniqueConstraint(v === 1 ? ['a', 'email'] : ['b', 'email'], { name: 'uq_cx_parent_mail' }),
        d.Index('ix_cx_parent_email', ['email'], { unique: v === 2 }),
        ...(mariadb ? [] : [d.Index('ix_cx_parent_lower', [d.text(v === 1 ? 'lower(email)' : 'upper(email)')])]),
        ...(t.dialect === 'mysql' ? [] : [d.Index('ix_cx_parent_some', ['a'], { where: v === 1 ? 'b > 0' : 'b > 1' })]),
      );
      d.Table(
        'cx_child',
        d.Column('id', d.Integer, { primaryKey: true }),
        d.Column('a', d.Integer),
        d.Column('b', d.Integer),
        d.ForeignKeyConstraint(['a', 'b'], ['cx_parent.a', 'cx_parent.b'], {
          name: 'fk_cx_child_parent',
          ...(v === 1 ? { onDelete: 'CASCADE' as const } : { onUpdate: 'CASCADE' as const }),
        }),
      );
    };
    declare(db, 1);
    await db.createAll();
    const holder = models();
    declare(holder, 2);
    expect((await diff(db, holder)).map(summary)).toEqual([
      ['drop-unique', 'cx_parent', 'uq_cx_parent_mail', false],
      ['drop-index', 'cx_parent', 'ix_cx_parent_email', false],
      ...(mariadb ? [] : [['drop-index', 'cx_parent', 'ix_cx_parent_lower', false]]),
      ...(t.dialect === 'mysql' ? [] : [['drop-index', 'cx_parent', 'ix_cx_parent_some', false]]),
      ['add-unique', 'cx_parent', 'uq_cx_parent_mail', false],
      ['add-index', 'cx_parent', 'ix_cx_parent_email', false],
      ...(mariadb ? [] : [['add-index', 'cx_parent', 'ix_cx_parent_lower', false]]),
      ...(t.dialect === 'mysql' ? [] : [['add-index', 'cx_parent', 'ix_cx_parent_some', false]]),
      ['drop-foreign-key', 'cx_child', 'a,b', false],
      ['add-foreign-key', 'cx_child', 'a,b', false],
    ]);
    // The same models find no drift: nothing above came from how the database spells things.
    const same = models();
    declare(same, 1);
    expect(await diff(db, same)).toEqual([]);
  });

  itOn(t)('reports changes to a table in another PostgreSQL schema under its full name', async () => {
    if (t.dialect !== 'postgres') return;
    const db = open();
    await run(db, `CREATE SCHEMA IF NOT EXISTS ${APP_SCHEMA}`);
    try {
      db.Table('sc_item', db.Column('id', db.Integer, { primaryKey: true }), { schema: APP_SCHEMA });
      await db.createAll();
      await run(db, `ALTER TABLE ${APP_SCHEMA}.sc_item ADD COLUMN note TEXT`);
      expect((await db.checkSchema()).map((d) => d.description)).toEqual([
        `table '${APP_SCHEMA}.sc_item': drop column note, which the model does not have (destructive)`,
      ]);
    } finally {
      await run(db, `DROP SCHEMA ${APP_SCHEMA} CASCADE`);
    }
  });

  it('refuses unknown options, naming them', async () => {
    const db = open();
    const metadata = db.registry.metadata;
    expect(() =>
      compareSchemas(metadata, metadata, { dialect: db.engine.dialect, includeObject: () => true } as never),
    ).toThrow(/compareSchemas\(\): option 'includeObject' is not supported by Relata: use include/);
    expect(() => compareSchemas(metadata, metadata, {} as never)).toThrow(/dialect option is required/);
    await expect(db.checkSchema({ tables: ['x'] } as never)).rejects.toThrow(
      /checkSchema\(\): unknown option 'tables'/,
    );
  });
});
