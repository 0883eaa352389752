/**
 * Migration operations that SQLite does by rebuilding the table (and the other databases in place):
 * constraints added and dropped, tables that child tables' foreign keys point at (CASCADE, SET NULL,
 * NO ACTION, self references, composite keys), rows and foreign key enforcement kept; MySQL's
 * MODIFY restating the column.
 */
import { expect } from 'vitest';
import {
  Column,
  ForeignKey,
  ForeignKeyConstraint,
  Integer,
  IntegrityError,
  MigrationOperationError,
  PrimaryKeyConstraint,
  String,
  UniqueConstraint,
  createOperations,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { operationsHarness } from './operations-support.js';

describeEachDialect('Migration operations: rebuilds and constraints', (t) => {
  const it = itOn(t);
  const h = operationsHarness(t);

  it('rebuilds (SQLite) or alters a parent table that child tables refer to: rows, foreign keys and their enforcement kept', async () => {
    await h.migrate(async (op) => {
      await op.createTable('author', Column('id', Integer, { primaryKey: true }), Column('name', String(50)));
      await op.createIndex('ix_author_name', 'author', ['name']);
      await op.createTable(
        'book',
        Column('id', Integer, { primaryKey: true }),
        Column('author_id', Integer, ForeignKey('author.id', { ondelete: 'CASCADE' })),
      );
      await op.createTable(
        'review',
        Column('id', Integer, { primaryKey: true }),
        Column('author_id', Integer, ForeignKey('author.id')),
        Column('editor_id', Integer, ForeignKey('author.id', { ondelete: 'SET NULL' })),
      );
      await op.execute("INSERT INTO author (id, name) VALUES (1, 'Ann'), (2, 'Bo')");
      await op.execute('INSERT INTO book (id, author_id) VALUES (10, 1), (11, 2), (12, NULL)');
      await op.execute('INSERT INTO review (id, author_id, editor_id) VALUES (20, 1, 2), (21, 2, 1)');
    });
    const statements: string[] = [];
    await h.migrate(
      async (op) => {
        await op.alterColumn('author', 'name', { nullable: false, type: String(80) });
      },
      { onStatement: (s) => statements.push(s) },
    );
    if (t.dialect === 'sqlite') {
      expect(statements).toContain('PRAGMA defer_foreign_keys = ON');
      // The children whose ON DELETE actions the DROP would run are kept aside and written back.
      expect(statements).toContain('CREATE TEMP TABLE "_relata_keep_book" AS SELECT * FROM "book"');
      expect(statements).toContain('CREATE TEMP TABLE "_relata_keep_review" AS SELECT * FROM "review"');
      expect(statements.some((s) => s.startsWith('DROP TABLE "author"'))).toBe(true);
      expect(await h.rows('PRAGMA foreign_key_check')).toEqual([]);
      expect(await h.rows('PRAGMA defer_foreign_keys')).toEqual([[0]]);
    }
    const author = await h.table('author');
    expect(h.columnsOf(author)[1]).toEqual({ name: 'name', type: 'String', nullable: false, default: null });
    expect((author.table.columns[1]!.type as unknown as { length: number }).length).toBe(80);
    expect(author.info.indexes.map((ix) => ix.name)).toEqual(['ix_author_name']);
    expect(await h.rows('SELECT id, name FROM author ORDER BY id')).toEqual([
      [1, 'Ann'],
      [2, 'Bo'],
    ]);
    // The CASCADE and SET NULL children were not touched by the rebuild.
    expect(await h.rows('SELECT id, author_id FROM book ORDER BY id')).toEqual([
      [10, 1],
      [11, 2],
      [12, null],
    ]);
    expect(await h.rows('SELECT id, author_id, editor_id FROM review ORDER BY id')).toEqual([
      [20, 1, 2],
      [21, 2, 1],
    ]);
    const book = await h.db.reflect({ tables: ['author', 'book'] });
    expect(book.tables.get('book')!.info.foreignKeys.map((fk) => [fk.referredTable, fk.onDelete])).toEqual([
      ['author', 'CASCADE'],
    ]);
    // The foreign keys still hold and still act.
    await expect(
      h.db.engine.execute({ sql: 'INSERT INTO book (id, author_id) VALUES (13, 99)', params: [] }),
    ).rejects.toThrow(IntegrityError);
    await h.db.engine.execute({ sql: 'DELETE FROM review WHERE author_id = 2', params: [] });
    await h.db.engine.execute({ sql: 'DELETE FROM author WHERE id = 2', params: [] });
    expect(await h.rows('SELECT id FROM book ORDER BY id')).toEqual([[10], [12]]);
    expect(await h.rows('SELECT id, editor_id FROM review ORDER BY id')).toEqual([[20, null]]);
  });

  it('adds and drops UNIQUE, CHECK, foreign key and primary key constraints', async () => {
    await h.migrate(async (op) => {
      await op.createTable('team', Column('id', Integer, { primaryKey: true }));
      await op.createTable(
        'member',
        Column('team_id', Integer, { nullable: false }),
        Column('no', Integer, { nullable: false }),
        Column('email', String(100)),
      );
      await op.execute('INSERT INTO team (id) VALUES (1)');
      await op.execute("INSERT INTO member (team_id, no, email) VALUES (1, 1, 'a@x'), (1, 2, 'b@x')");
      await op.createPrimaryKey('pk_member_no', 'member', ['team_id', 'no']);
      await op.createUniqueConstraint('uq_member_email', 'member', ['email']);
      await op.createCheckConstraint('ck_member_no', 'member', 'no > 0');
      // A function of the dialect's quoting (what rendered migrations write): right on MySQL too.
      await op.createCheckConstraint('ck_member_cap', 'member', (q) => `${q('no')} < 1000`);
      await op.createForeignKey('fk_member_team', 'member', ['team_id'], 'team', ['id'], { onDelete: 'CASCADE' });
    });
    let member = await h.table('member');
    expect(member.info.primaryKey.columns).toEqual(['team_id', 'no']);
    expect(member.info.uniqueConstraints.map((u) => [u.name, u.columns])).toEqual([['uq_member_email', ['email']]]);
    expect(member.info.checks.map((c) => c.name).sort()).toEqual(['ck_member_cap', 'ck_member_no']);
    expect(member.info.foreignKeys.map((fk) => [fk.name, fk.columns, fk.referredTable, fk.onDelete])).toEqual([
      ['fk_member_team', ['team_id'], 'team', 'CASCADE'],
    ]);
    await expect(
      h.db.engine.execute({ sql: "INSERT INTO member (team_id, no, email) VALUES (1, 0, 'c@x')", params: [] }),
    ).rejects.toThrow(IntegrityError);
    await expect(
      h.db.engine.execute({ sql: "INSERT INTO member (team_id, no, email) VALUES (1, 3, 'a@x')", params: [] }),
    ).rejects.toThrow(IntegrityError);
    await expect(
      h.db.engine.execute({ sql: "INSERT INTO member (team_id, no, email) VALUES (1, 1000, 'd@x')", params: [] }),
    ).rejects.toThrow(IntegrityError);

    // A UNIQUE made as a unique index is dropped as one (MySQL does not tell them apart).
    await h.migrate(async (op) => {
      await op.createIndex('ux_member_email', 'member', ['email', 'no'], { unique: true });
      await op.dropConstraint('ux_member_email', 'member', 'unique');
    });
    expect((await h.table('member')).info.indexes).toEqual([]);
    await h.migrate(async (op) => {
      await op.dropConstraint('fk_member_team', 'member', 'foreignKey');
      await op.dropConstraint('uq_member_email', 'member', 'unique');
      await op.dropConstraint('ck_member_no', 'member', 'check');
      await op.dropConstraint('ck_member_cap', 'member', 'check');
      await op.dropConstraint('pk_member_no', 'member', 'primaryKey');
    });
    member = await h.table('member');
    expect(member.info.primaryKey.columns).toEqual([]);
    expect(member.info.uniqueConstraints).toEqual([]);
    expect(member.info.checks).toEqual([]);
    expect(member.info.foreignKeys).toEqual([]);
    expect(await h.rows('SELECT team_id, no, email FROM member ORDER BY no')).toEqual([
      [1, 1, 'a@x'],
      [1, 2, 'b@x'],
    ]);
  });

  it('SQLite rebuilds for what ADD/DROP COLUMN cannot do; other databases alter in place', async () => {
    await h.migrate(async (op) => {
      await op.createTable('tag', Column('id', Integer, { primaryKey: true }));
      await op.createTable(
        'post',
        Column('id', Integer, { primaryKey: true }),
        Column('title', String(80), { nullable: false }),
        Column('slug', String(80)),
      );
      await op.createIndex('ix_post_slug', 'post', ['slug']);
      await op.createIndex('ix_post_title', 'post', ['title'], t.dialect === 'mysql' ? {} : { where: 'id > 0' });
      await op.execute('INSERT INTO tag (id) VALUES (1)');
      await op.execute("INSERT INTO post (id, title, slug) VALUES (1, 'a', 'a'), (2, 'b', 'b')");
    });
    const statements: string[] = [];
    await h.migrate(
      async (op) => {
        await op.addColumn('post', Column('tag_id', Integer, ForeignKey('tag.id', { name: 'fk_post_tag' })));
        await op.addColumn('post', Column('code', String(10), { unique: true, index: true }));
        await op.dropColumn('post', 'slug');
      },
      { onStatement: (s) => statements.push(s) },
    );
    const rebuilds = statements.filter((s) => /^DROP TABLE "post"$/.test(s)).length;
    expect(rebuilds).toBe(t.dialect === 'sqlite' ? 3 : 0);
    // MySQL commits each DDL statement: a column and its keys are one ALTER TABLE, all or nothing.
    if (t.dialect === 'mysql')
      expect(statements).toContain(
        'ALTER TABLE `post` ADD COLUMN `code` VARCHAR(10), ADD CONSTRAINT `uq_post_code` UNIQUE (`code`), ADD INDEX `ix_post_code` (`code`)',
      );
    const post = await h.table('post');
    expect(post.table.columns.map((c) => c.name)).toEqual(['id', 'title', 'tag_id', 'code']);
    expect(post.info.foreignKeys.map((fk) => [fk.name, fk.columns, fk.referredTable])).toEqual([
      ['fk_post_tag', ['tag_id'], 'tag'],
    ]);
    expect(post.info.uniqueConstraints.map((u) => u.columns)).toEqual([['code']]);
    // The index on the dropped column went with it; the other one (partial where it can be) stayed.
    expect(post.info.indexes.map((ix) => [ix.name, ix.where !== null])).toEqual([
      ['ix_post_code', false],
      ['ix_post_title', t.dialect !== 'mysql'],
    ]);
    expect(await h.rows('SELECT id, title, tag_id, code FROM post ORDER BY id')).toEqual([
      [1, 'a', null, null],
      [2, 'b', null, null],
    ]);
    await expect(
      h.db.engine.execute({ sql: "INSERT INTO post (id, title, tag_id) VALUES (3, 'c', 7)", params: [] }),
    ).rejects.toThrow(IntegrityError);
  });

  it('a foreign key that existing rows break fails, naming the table, and the transaction rolls back', async () => {
    await h.migrate(async (op) => {
      await op.createTable('tag', Column('id', Integer, { primaryKey: true }));
      await op.createTable('post', Column('id', Integer, { primaryKey: true }), Column('tag_id', Integer));
      await op.execute('INSERT INTO post (id, tag_id) VALUES (1, 5)');
    });
    const err = await h
      .migrate((op) => op.createForeignKey('fk_post_tag', 'post', ['tag_id'], 'tag', ['id']))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(t.dialect === 'sqlite' ? MigrationOperationError : IntegrityError);
    if (t.dialect === 'sqlite')
      expect((err as Error).message).toMatch(/1 row of 'post' refers to missing rows of 'tag'/);
    expect((await h.table('post')).info.foreignKeys).toEqual([]);
    expect(await h.rows('SELECT id, tag_id FROM post')).toEqual([[1, 5]]);
  });

  it('MySQL restates the column from the catalog (or from existing): type, NOT NULL, default, comment, AUTO_INCREMENT kept', async () => {
    await h.migrate(async (op) => {
      await op.createTable(
        'item',
        Column('id', Integer, { primaryKey: true }),
        Column('qty', String(10), { nullable: false, serverDefault: "'1'", comment: 'how many' }),
      );
      await op.execute("INSERT INTO item (qty) VALUES ('3'), ('4')");
    });
    const statements: string[] = [];
    await h.migrate(
      async (op) => {
        await op.alterColumn('item', 'qty', {
          type: Integer,
          using: { sqlite: 'CAST(qty AS INTEGER) + 1', postgres: 'qty::integer + 1', mysql: 'qty + 1' }[t.dialect],
        });
        await op.alterColumn('item', 'qty', { comment: 'count' });
        await op.alterColumn('item', 'id', { comment: 'key' });
      },
      { onStatement: (s) => statements.push(s) },
    );
    if (t.dialect === 'mysql')
      expect(statements).toEqual([
        'UPDATE `item` SET `qty` = (qty + 1)',
        "ALTER TABLE `item` MODIFY COLUMN `qty` INT NOT NULL DEFAULT '1' COMMENT 'how many'",
        "ALTER TABLE `item` MODIFY COLUMN `qty` INT NOT NULL DEFAULT 1 COMMENT 'count'", // the default as the catalog now has it
        "ALTER TABLE `item` MODIFY COLUMN `id` INT NOT NULL AUTO_INCREMENT COMMENT 'key'",
      ]);
    const item = await h.table('item');
    expect(h.columnsOf(item)[1]).toMatchObject({ name: 'qty', type: 'Integer', nullable: false });
    expect(item.table.columns[0]!.autoincrement).toBe(true);
    await h.db.engine.execute({ sql: 'INSERT INTO item (qty) VALUES (9)', params: [] });
    expect(await h.rows('SELECT id, qty FROM item ORDER BY id')).toEqual([
      [1, 4],
      [2, 5],
      [3, 9],
    ]);
    if (t.dialect !== 'mysql') return;
    // A type Relata has no name for is restated as the catalog spells it.
    await h.db.engine.execute({
      sql: 'CREATE TABLE odd (id INT PRIMARY KEY, flags TINYINT(4) NOT NULL DEFAULT 3)',
      params: [],
    });
    const odd: string[] = [];
    await h.migrate((op) => op.alterColumn('odd', 'flags', { comment: 'bits' }), { onStatement: (s) => odd.push(s) });
    expect(odd).toEqual(["ALTER TABLE `odd` MODIFY COLUMN `flags` tinyint(4) NOT NULL DEFAULT 3 COMMENT 'bits'"]);
    // A dry run ahead of the database: the table is not there, existing says what the column is.
    const sql: string[] = [];
    await h.migrate(
      (op) =>
        op.alterColumn(
          'later',
          'name',
          { nullable: false },
          { type: String(20), serverDefault: null, comment: null, autoincrement: false },
        ),
      { dryRun: true, onStatement: (s) => sql.push(s) },
    );
    expect(sql).toEqual(['ALTER TABLE `later` MODIFY COLUMN `name` VARCHAR(20) NOT NULL']);
    await expect(
      h.migrate((op) => op.alterColumn('later', 'name', { nullable: false }), { dryRun: true }),
    ).rejects.toThrow(/alterColumn\('later', 'name'\): MySQL restates the whole column, and its type is not known/);
  });

  it('a self-referencing table is altered (SQLite: rebuilt, also outside any transaction, its triggers kept)', async () => {
    await h.migrate(async (op) => {
      await op.createTable(
        'employee',
        Column('id', Integer, { primaryKey: true }),
        Column('boss_id', Integer, ForeignKey('employee.id', { ondelete: 'CASCADE' })),
        Column('name', String(40)),
      );
      await op.execute("INSERT INTO employee (id, boss_id, name) VALUES (1, NULL, 'a'), (2, 1, 'b'), (3, 2, 'c')");
    });
    if (t.dialect === 'sqlite') {
      await h.db.engine.execute({
        sql: 'CREATE TRIGGER employee_name AFTER INSERT ON employee BEGIN UPDATE employee SET name = upper(NEW.name) WHERE id = NEW.id; END',
        params: [],
      });
    }
    // No runner: the operation on a connection outside a transaction (a SQLite rebuild makes its own).
    const conn = await h.db.engine.connect();
    try {
      await createOperations(conn, h.db.engine.dialect).alterColumn('employee', 'name', { nullable: false });
    } finally {
      conn.release();
    }
    const employee = await h.table('employee');
    expect(h.columnsOf(employee)[2]).toMatchObject({ name: 'name', nullable: false });
    expect(employee.info.foreignKeys.map((fk) => [fk.columns, fk.referredTable, fk.onDelete])).toEqual([
      [['boss_id'], 'employee', 'CASCADE'],
    ]);
    expect(await h.rows('SELECT id, boss_id, name FROM employee ORDER BY id')).toEqual([
      [1, null, 'a'],
      [2, 1, 'b'],
      [3, 2, 'c'],
    ]);
    await h.db.engine.execute({ sql: "INSERT INTO employee (id, boss_id, name) VALUES (4, 3, 'd')", params: [] });
    await h.db.engine.execute({ sql: 'DELETE FROM employee WHERE id = 2', params: [] });
    expect(await h.rows('SELECT id, name FROM employee ORDER BY id')).toEqual([[1, 'a']]);
    if (t.dialect === 'sqlite') {
      await h.db.engine.execute({ sql: "INSERT INTO employee (id, name) VALUES (5, 'e')", params: [] });
      expect(await h.rows('SELECT name FROM employee WHERE id = 5')).toEqual([['E']]);
      expect(await h.rows('PRAGMA foreign_key_check')).toEqual([]);
    }
  });

  it('a composite key and a composite foreign key to it survive a change of the parent (SQLite: a rebuild)', async () => {
    await h.migrate(async (op) => {
      await op.createTable(
        'line',
        Column('order_id', Integer),
        Column('line_no', Integer),
        Column('note', String(20)),
        PrimaryKeyConstraint(['order_id', 'line_no']),
        UniqueConstraint(['note', 'line_no'], { name: 'uq_line_note' }),
      );
      await op.createTable(
        'shipment',
        Column('id', Integer, { primaryKey: true }),
        Column('order_id', Integer),
        Column('line_no', Integer),
        ForeignKeyConstraint(['order_id', 'line_no'], ['line.order_id', 'line.line_no'], {
          name: 'fk_shipment_line',
          onDelete: 'CASCADE',
        }),
      );
      await op.execute("INSERT INTO line (order_id, line_no, note) VALUES (1, 1, 'a'), (1, 2, 'b')");
      await op.execute('INSERT INTO shipment (id, order_id, line_no) VALUES (10, 1, 1), (11, 1, 2)');
    });
    await h.migrate((op) => op.alterColumn('line', 'note', { nullable: false }));
    const { tables } = await h.db.reflect({ tables: ['line', 'shipment'] });
    expect(tables.get('line')!.info.primaryKey.columns).toEqual(['order_id', 'line_no']);
    expect(tables.get('line')!.info.uniqueConstraints.map((u) => [u.name, u.columns])).toEqual([
      ['uq_line_note', ['note', 'line_no']],
    ]);
    expect(tables.get('shipment')!.info.foreignKeys.map((fk) => [fk.name, fk.columns, fk.referredColumns])).toEqual([
      ['fk_shipment_line', ['order_id', 'line_no'], ['order_id', 'line_no']],
    ]);
    expect(await h.rows('SELECT id FROM shipment ORDER BY id')).toEqual([[10], [11]]);
    await h.db.engine.execute({ sql: 'DELETE FROM line WHERE line_no = 2', params: [] });
    expect(await h.rows('SELECT id FROM shipment ORDER BY id')).toEqual([[10]]);
    await expect(
      h.db.engine.execute({ sql: 'INSERT INTO shipment (id, order_id, line_no) VALUES (12, 1, 9)', params: [] }),
    ).rejects.toThrow(IntegrityError);
  });
});
