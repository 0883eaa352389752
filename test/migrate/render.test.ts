/**
 * Generated migrations on every database: the models change (a column renamed with confirmation,
 * one dropped, one added with an index, a table with a foreign key and a CHECK added), the differ's
 * changes are rendered to a file, the file type-checks, the Migrator applies it from its directory
 * with rows preserved and no drift left, and its down restores the first shape. Without the rename
 * confirmed, the file says loudly that the drop + add may be one.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  CheckConstraint,
  Column,
  Database,
  ForeignKey,
  Integer,
  Migrator,
  String,
  Text,
  compareSchemas,
  reflectMetaData,
  renameCandidates,
  renderMigration,
  type SchemaChange,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { pulledModulesDir, typeCheck } from './pull-support.js';

const OUT = pulledModulesDir();
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

function v1(url: string): Database {
  const db = new Database(url, { nPlusOne: 'off' });
  db.Model(
    'Person',
    {
      id: Column(Integer, { primaryKey: true }),
      name: Column(String(80), { nullable: false }),
      bio: Column(Text),
    },
    { tableName: 'person' },
  );
  return db;
}

function v2(url: string): Database {
  const db = new Database(url, { nPlusOne: 'off' });
  db.Model(
    'Person',
    {
      id: Column(Integer, { primaryKey: true }),
      fullName: Column('full_name', String(80), { nullable: false }),
      email: Column(String(120), { index: true }),
    },
    { tableName: 'person' },
  );
  db.Model(
    'Post',
    {
      id: Column(Integer, { primaryKey: true }),
      personId: Column('person_id', Integer, ForeignKey('person.id'), { nullable: false }),
      title: Column(String(200), { nullable: false }),
    },
    { tableName: 'post', tableArgs: [CheckConstraint('length(title) > 0', { name: 'ck_post_title' })] },
  );
  return db;
}

describeEachDialect('generated migrations', (t) => {
  const it = itOn(t);
  let url: string;
  let dir: string;
  beforeAll(() => {
    dir = join(OUT, t.dialect);
    url = t.dialect === 'sqlite' ? `sqlite:///${join(OUT, 'render.db')}` : t.url;
  });

  const diff = async (db: Database): Promise<SchemaChange[]> =>
    compareSchemas(db.registry.metadata, (await reflectMetaData(db.engine)).metadata, { dialect: db.engine.dialect });
  const rows = async (db: Database, sql: string) => (await db.engine.execute({ sql, params: [] })).rows;

  it('render → type-check → up (rows kept, no drift) → down (first shape back)', async () => {
    const first = v1(url);
    await first.createAll();
    await first.engine.execute({ sql: `INSERT INTO person (id, name, bio) VALUES (1, 'Ann', 'hi')`, params: [] });
    const second = v2(url);
    const changes = await diff(second);
    expect(renameCandidates(changes).map((c) => `${c.key}=${c.to}`)).toEqual(['person.name=full_name']);

    // Unconfirmed: drop + add, with the loud comment.
    const guessed = renderMigration(changes, { id: 'm1', revises: null, message: 'v2' });
    expect(guessed).toContain(
      "// !!! POSSIBLE RENAME: if column person.name became full_name, this drop + add LOSES ITS DATA: replace both with op.renameColumn('person', 'name', 'full_name')",
    );
    expect(guessed).toContain('// DESTRUCTIVE: drops column person.name and its values');

    const source = renderMigration(changes, {
      id: '20261203_090000_v2',
      revises: null,
      message: 'v2: people get an email, posts',
      renames: { 'person.name': 'full_name' },
    });
    expect(source).toContain(
      "import { CheckConstraint, Column, defineMigration, ForeignKeyConstraint, Integer, String, Text } from 'relata';",
    );
    expect(source).toContain("await op.renameColumn('person', 'name', 'full_name');");
    expect(source).toContain("await op.renameColumn('person', 'full_name', 'name');");
    expect(source).not.toContain('!!! POSSIBLE RENAME');
    expect(source).toContain("await op.addColumn('person', Column('bio', Text));");
    expect(source).toMatch(/await op\.createIndex\('ix_person_email', 'person', \['email'\]\);/);
    expect(source).toContain("CheckConstraint('length(title) > 0', { name: 'ck_post_title' })");

    // The file compiles against the package (imported by path here).
    const file = join(dir, '20261203_090000_v2.ts');
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, source.replace("from 'relata'", "from '../../../../src/index.js'"));
    // One type check is enough (the file differs by dialect only in nothing the compiler sees; ~5 s each).
    if (t.dialect === 'sqlite') expect(typeCheck(file)).toBe('');

    const migrator = new Migrator(second, {
      directory: dir,
      ...(t.behindPooler && { postgresLock: 'transaction' as const }),
    });
    expect((await migrator.up()).map((r) => r.id)).toEqual(['20261203_090000_v2']);
    expect(await diff(second)).toEqual([]);
    expect(await rows(second, 'SELECT id, full_name, email FROM person')).toEqual([[1, 'Ann', null]]);
    await second.engine.execute({ sql: `INSERT INTO post (id, person_id, title) VALUES (1, 1, 'x')`, params: [] });

    expect((await migrator.down()).map((r) => r.id)).toEqual(['20261203_090000_v2']);
    expect(await diff(first)).toEqual([]);
    expect(await rows(first, 'SELECT id, name, bio FROM person')).toEqual([[1, 'Ann', null]]);
    await first.dropAll();
    await first.engine.execute({ sql: 'DROP TABLE relata_migrations', params: [] });
    await first.close();
    await second.close();
  });
});
