/**
 * Tables that refer to each other (user.favorite_post_id -> post.id, post.user_id -> user.id):
 * SQLAlchemy's use_alter. CREATE TABLE runs in an order that needs no table before it exists, and
 * the cycle's foreign keys follow as ALTER TABLE ADD CONSTRAINT (marked `useAlter`, or found in a
 * cycle, with a warning); dropAll drops them first. SQLite keeps them inline: it cannot add a
 * constraint to a table, and checks foreign keys when rows are written, not at CREATE.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it as plainIt } from 'vitest';
import {
  Column,
  Database,
  ForeignKey,
  IntegrityError,
  Integer,
  Migrator,
  String,
  compareSchemas,
  reflectMetaData,
  renderMigration,
  type SchemaChange,
} from '../../src/index.js';
import { sortTablesAndConstraints } from '../../src/sql/ddl-order.js';
import { Column as CoreColumn, ForeignKey as CoreForeignKey, MetaData, Table } from '../../src/sql/schema.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { pulledModulesDir } from '../migrate/pull-support.js';

const OUT = pulledModulesDir();
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

function cycleModels(db: Database, useAlter: boolean) {
  db.Model(
    'User',
    {
      id: Column(Integer, { primaryKey: true }),
      name: Column(String(50), { nullable: false }),
      favoritePostId: Column(
        'favorite_post_id',
        Integer,
        ForeignKey('post.id', useAlter ? { useAlter: true, name: 'fk_user_favorite_post' } : {}),
      ),
    },
    { tableName: 'user' },
  );
  db.Model(
    'Post',
    {
      id: Column(Integer, { primaryKey: true }),
      userId: Column('user_id', Integer, ForeignKey('user.id')),
    },
    { tableName: 'post' },
  );
  db.Model(
    'Comment',
    { id: Column(Integer, { primaryKey: true }), postId: Column('post_id', Integer, ForeignKey('post.id')) },
    { tableName: 'comment' },
  );
}

describe('sortTablesAndConstraints', () => {
  const meta = () => {
    const m = new MetaData();
    const a = m.add(
      new Table('a', [
        new CoreColumn('id', Integer, [], { primaryKey: true }),
        new CoreColumn('b_id', Integer, [new CoreForeignKey('b.id')]),
      ]),
    );
    const b = m.add(
      new Table('b', [
        new CoreColumn('id', Integer, [], { primaryKey: true }),
        new CoreColumn('a_id', Integer, [new CoreForeignKey('a.id')]),
      ]),
    );
    const c = m.add(
      new Table('c', [
        new CoreColumn('id', Integer, [], { primaryKey: true }),
        new CoreColumn('a_id', Integer, [new CoreForeignKey('a.id')]),
      ]),
    );
    return { m, a, b, c };
  };

  plainIt('leaves the keys of a cycle out of the order and lists them as unmarked', () => {
    const { m, a, b, c } = meta();
    const order = m.sortedTablesAndConstraints();
    expect(order.tables.map((t) => t.name)).toEqual(['a', 'b', 'c']);
    expect(order.addedAfter).toEqual([a.foreignKeyConstraints[0], b.foreignKeyConstraints[0]]);
    expect(order.unmarkedCycles).toEqual(order.addedAfter);
    expect(order.addedAfter).not.toContain(c.foreignKeyConstraints[0]); // not in the cycle: inline
    expect(m.sortedTables()).toEqual(order.tables);
  });

  plainIt('a useAlter key breaks the cycle by itself: the other key orders the tables', () => {
    const m = new MetaData();
    m.add(
      new Table('a', [
        new CoreColumn('id', Integer, [], { primaryKey: true }),
        new CoreColumn('b_id', Integer, [new CoreForeignKey('b.id', { useAlter: true })]),
      ]),
    );
    const b = m.add(
      new Table('b', [
        new CoreColumn('id', Integer, [], { primaryKey: true }),
        new CoreColumn('a_id', Integer, [new CoreForeignKey('a.id')]),
      ]),
    );
    const order = sortTablesAndConstraints([b, m.tables.get('a')!]);
    expect(order.tables.map((t) => t.name)).toEqual(['a', 'b']);
    expect(order.addedAfter.map((k) => k.name)).toEqual(['fk_a_b_id_b']);
    expect(order.unmarkedCycles).toEqual([]);
  });

  plainIt('without a cycle, the order is the one it always was and nothing is added after', () => {
    const m = new MetaData();
    const child = m.add(
      new Table('child', [
        new CoreColumn('id', Integer, [], { primaryKey: true }),
        new CoreColumn('p', Integer, [new CoreForeignKey('parent.id')]),
      ]),
    );
    m.add(new Table('parent', [new CoreColumn('id', Integer, [], { primaryKey: true })]));
    void child;
    expect(m.sortedTables().map((t) => t.name)).toEqual(['parent', 'child']);
    expect(m.sortedTablesAndConstraints().addedAfter).toEqual([]);
  });

  plainIt("useAlter must be a boolean; SQLAlchemy's spelling is answered with ours", () => {
    expect(() => new CoreForeignKey('a.id', { useAlter: 'yes' as unknown as boolean })).toThrow(/useAlter/);
    expect(() => new CoreForeignKey('a.id', { use_alter: true } as never)).toThrow(/spell it useAlter: true/);
  });
});

describeEachDialect('foreign-key cycles in DDL', (t) => {
  const it = itOn(t);
  const q = (db: Database, name: string) => db.engine.dialect.compiler.quote(name);

  for (const marked of [true, false]) {
    it(`createAll creates the tables, then the cycle's keys${marked ? ' (useAlter)' : ' (found, with a warning)'}; dropAll drops them`, async () => {
      const warnings: string[] = [];
      const db = new Database(t.url, { nPlusOne: 'off', warn: (m) => warnings.push(m) });
      cycleModels(db, marked);
      const statements = await db.recordQueries(() => db.createAll());
      const ddl = statements.map((s) => s.sql).filter((s) => /^(CREATE TABLE|ALTER TABLE)/.test(s));
      const fkName = marked ? 'fk_user_favorite_post' : 'fk_user_favorite_post_id_post';
      if (t.dialect === 'sqlite') {
        // Inline: SQLite cannot ALTER TABLE ADD CONSTRAINT, and needs no order at CREATE.
        expect(ddl.filter((s) => s.startsWith('ALTER'))).toEqual([]);
        expect(ddl.find((s) => s.includes('CREATE TABLE IF NOT EXISTS "user"'))).toContain(fkName);
      } else {
        expect(ddl.map((s) => s.split('(')[0]!.trim())).toEqual([
          `CREATE TABLE IF NOT EXISTS ${q(db, 'user')}`,
          `CREATE TABLE IF NOT EXISTS ${q(db, 'post')}`,
          `CREATE TABLE IF NOT EXISTS ${q(db, 'comment')}`,
          `ALTER TABLE ${q(db, 'user')} ADD CONSTRAINT ${q(db, fkName)} FOREIGN KEY`,
          ...(marked
            ? []
            : [`ALTER TABLE ${q(db, 'post')} ADD CONSTRAINT ${q(db, 'fk_post_user_id_user')} FOREIGN KEY`]),
        ]);
      }
      if (marked || t.dialect === 'sqlite') expect(warnings).toEqual([]);
      else
        expect(warnings).toEqual([
          expect.stringMatching(
            /tables user, post refer to each other.*fk_user_favorite_post_id_post, fk_post_user_id_user.*ALTER TABLE.*useAlter: true/,
          ),
        ]);

      // The keys are there and enforced, and the schema matches the models.
      expect(await db.checkSchema()).toEqual([]);
      const exec = (sql: string) => db.engine.execute({ sql, params: [] });
      await expect(exec(`INSERT INTO ${q(db, 'post')} (id, user_id) VALUES (1, 99)`)).rejects.toThrow(IntegrityError);
      await exec(`INSERT INTO ${q(db, 'user')} (id, name) VALUES (1, 'ann')`);
      await exec(`INSERT INTO ${q(db, 'post')} (id, user_id) VALUES (1, 1)`);
      await exec(`UPDATE ${q(db, 'user')} SET favorite_post_id = 1 WHERE id = 1`);
      await expect(exec(`UPDATE ${q(db, 'user')} SET favorite_post_id = 42 WHERE id = 1`)).rejects.toThrow(
        IntegrityError,
      );

      // A second createAll finds the tables there and adds no key twice.
      const again = await db.recordQueries(() => db.createAll());
      expect(again.map((s) => s.sql).filter((s) => s.startsWith('ALTER TABLE'))).toEqual([]);

      // dropAll: the keys first, then the tables, with rows that refer to each other still in them.
      await db.dropAll();
      expect((await reflectMetaData(db.engine)).metadata.tables.size).toBe(0);
      await db.dropAll(); // nothing there: nothing to do, no error
      await db.close();
    });
  }

  it('a generated migration creates the tables, then adds the cycle’s key (inline on SQLite); it applies and reverts', async () => {
    const db = new Database(t.url, { nPlusOne: 'off', warn: () => {} });
    cycleModels(db, true);
    db.registry.configure();
    const diff = async (): Promise<SchemaChange[]> =>
      compareSchemas(db.registry.metadata, (await reflectMetaData(db.engine)).metadata, { dialect: db.engine.dialect });
    const changes = await diff();
    const kinds = changes.map((c) => `${c.kind} ${c.table}`);
    if (t.dialect === 'sqlite') {
      expect(kinds).toEqual(['add-table user', 'add-table post', 'add-table comment']);
    } else {
      expect(kinds).toEqual(['add-table user', 'add-table post', 'add-table comment', 'add-foreign-key user']);
    }
    const source = renderMigration(changes, { id: '20261203_150000_cycle', revises: null, message: 'cycle' });
    const at = (table: string) => source.search(new RegExp(`op\\.createTable\\(\\s*'${table}'`));
    const userTable = source.slice(at('user'), at('post'));
    if (t.dialect === 'sqlite') {
      expect(userTable).toContain("ForeignKeyConstraint(['favorite_post_id'], ['post.id']");
    } else {
      expect(userTable).toContain("Column('favorite_post_id', Integer)");
      expect(userTable).not.toContain('ForeignKeyConstraint');
      expect(source).toContain(
        "await op.createForeignKey('fk_user_favorite_post', 'user', ['favorite_post_id'], 'post', ['id']);",
      );
      // After the three tables in up; first in down (before the tables are dropped).
      expect(source.indexOf('createForeignKey')).toBeGreaterThan(at('comment'));
      expect(source.indexOf("op.dropConstraint('fk_user_favorite_post'")).toBeLessThan(
        source.indexOf("op.dropTable('user')"),
      );
    }

    const dir = join(OUT, t.dialect);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, '20261203_150000_cycle.ts'),
      source.replace("from 'relata'", "from '../../../../src/index.js'"),
    );
    const migrator = new Migrator(db, {
      directory: dir,
      ...(t.behindPooler && { postgresLock: 'transaction' as const }),
    });
    expect((await migrator.up()).map((r) => r.id)).toEqual(['20261203_150000_cycle']);
    expect(await diff()).toEqual([]);
    expect((await migrator.down()).map((r) => r.id)).toEqual(['20261203_150000_cycle']);
    const left = [...(await reflectMetaData(db.engine)).metadata.tables.keys()];
    expect(left.filter((n) => n !== 'relata_migrations')).toEqual([]);
    await db.engine.execute({ sql: 'DROP TABLE relata_migrations', params: [] });
    await db.close();
  });
});
