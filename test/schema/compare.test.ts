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
