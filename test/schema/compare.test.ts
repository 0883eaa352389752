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

/** The changes between `models` (default: db's own) and db's database. */
async function diff(db: Database, models: Database = db): Promise<SchemaChange[]> {
  models.registry.configure();
  const live = await db.reflect();
  return compareSchemas(models.registry.metadata, live.metadata, { dialect: db.engine.dialect });
}

/** A change as data to assert on: kind, table, what it names, destructive. */
function summary(c: SchemaChange): [string, string, string, boolean] {
  const what = (() => {
    switch (c.kind) {
      case 'add-table':
      case 'drop-table':
        return '';
      case 'add-column':
        return c.modelColumn.name;
      case 'drop-column':
        return c.liveColumn.name;
      case 'alter-column':
        return `${c.column}:${c.changes.join('+')}`;
      case 'add-index':
        return c.modelIndex.name;
      case 'drop-index':
        return c.liveIndex.name;
      case 'add-unique':
        return c.modelUnique.name;
      case 'drop-unique':
        return c.liveUnique.name;
      case 'add-foreign-key':
        return c.modelForeignKey.columnNames.join(',');
      case 'drop-foreign-key':
        return c.liveForeignKey.columnNames.join(',');
      case 'add-check':
        return c.modelCheck.name;
      case 'drop-check':
        return c.liveCheck.name;
      case 'alter-primary-key':
        return `${c.liveColumns.join(',')}->${c.modelColumns.join(',')}`;
      case 'alter-table-comment':
        return `${c.liveComment ?? ''}->${c.modelComment ?? ''}`;
    }
  })();
  return [c.kind, c.table, what, c.destructive];
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

  it('reports a table the models add (referred tables first) and one the database has extra', async () => {
    const db = open();
    blogModels(db);
    await db.createAll();
    await run(db, `CREATE TABLE ${q(t.dialect, 'legacy')} (id INTEGER PRIMARY KEY)`);
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
        ['drop-table', 'legacy', '', true],
      ]);
    } finally {
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
});
