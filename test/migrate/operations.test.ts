/**
 * Migration operations on every dialect: each applied to tables with rows, the database reflected
 * after to show the change with the rows kept; SQLite's table rebuild with child tables' foreign keys
 * pointing at the rebuilt table; dry runs; errors that name the table and column at fault.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import {
  Column,
  Database,
  ForeignKeyConstraint,
  PrimaryKeyConstraint,
  UniqueConstraint,
  Enum,
  ForeignKey,
  Integer,
  IntegrityError,
  MigrationOperationError,
  ArgumentError,
  String,
  Text,
  createOperations,
  text,
} from '../../src/index.js';
import type { Operations } from '../../src/migrate/operations.js';
import type { OperationsOptions } from '../../src/migrate/migration-operations.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Migration operations', (t) => {
  const it = itOn(t);
  let db: Database;

  /** Runs `fn` with operations on one connection inside a transaction, as the runner does. */
  async function migrate(fn: (op: Operations) => Promise<void>, options: OperationsOptions = {}): Promise<void> {
    const conn = await db.engine.connect();
    try {
      await conn.begin();
      await fn(createOperations(conn, db.engine.dialect, options));
      await conn.commit();
    } catch (err) {
      if (conn.inTransaction) await conn.rollback();
      throw err;
    } finally {
      conn.release();
    }
  }

  async function rows(sql: string): Promise<unknown[][]> {
    return (await db.engine.execute({ sql, params: [], returnsRows: true })).rows;
  }

  async function table(name: string) {
    const reflected = (await db.reflect({ tables: [name] })).tables.get(name)!;
    return reflected;
  }

  function columnsOf(reflected: Awaited<ReturnType<typeof table>>) {
    return reflected.table.columns.map((c) => ({
      name: c.name,
      type: c.type.typeName,
      nullable: c.nullable,
      default: c.serverDefault ?? null,
    }));
  }

  beforeEach(async () => {
    if (t.skipReason) return;
    db = new Database(t.url, { nPlusOne: 'off' });
    if (t.dialect === 'postgres') {
      await db.engine.execute({ sql: 'DROP SCHEMA IF EXISTS public CASCADE', params: [] });
      await db.engine.execute({ sql: 'DROP SCHEMA IF EXISTS app CASCADE', params: [] });
      await db.engine.execute({ sql: 'CREATE SCHEMA public', params: [] });
    }
    if (t.dialect === 'mysql') {
      const names = await rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
      );
      await db.engine.execute({ sql: 'SET FOREIGN_KEY_CHECKS = 0', params: [] });
      for (const [n] of names) await db.engine.execute({ sql: `DROP TABLE \`${n as string}\``, params: [] });
      await db.engine.execute({ sql: 'SET FOREIGN_KEY_CHECKS = 1', params: [] });
    }
  });

  afterEach(async () => {
    if (!t.skipReason) await db.close();
  });

  async function accountWithRows(): Promise<void> {
    await migrate(async (op) => {
      await op.createTable(
        'account',
        Column('id', Integer, { primaryKey: true }),
        Column('email', String(100), { nullable: false }),
        Column('age', String(10)),
      );
      await op.execute(
        text('INSERT INTO account (id, email, age) VALUES (?, ?, ?), (?, ?, ?)', [1, 'a@x', '30', 2, 'b@x', '41']),
      );
    });
  }

  it('creates a table, adds and alters columns, indexes, drops: reflected after each, rows kept', async () => {
    await accountWithRows();
    await migrate(async (op) => {
      await op.addColumn('account', Column('nickname', String(40)));
      await op.addColumn('account', Column('score', Integer, { nullable: false, serverDefault: '0' }));
      await op.alterColumn('account', 'age', {
        type: Integer,
        ...(t.dialect === 'postgres' && { using: 'age::integer' }),
      });
      await op.alterColumn('account', 'email', { nullable: true });
      await op.createIndex('ix_account_age', 'account', ['age']);
    });
    let account = await table('account');
    expect(columnsOf(account)).toEqual([
      { name: 'id', type: 'Integer', nullable: false, default: null },
      { name: 'email', type: 'String', nullable: true, default: null },
      { name: 'age', type: 'Integer', nullable: true, default: null },
      { name: 'nickname', type: 'String', nullable: true, default: null },
      { name: 'score', type: 'Integer', nullable: false, default: '0' },
    ]);
    expect(account.info.indexes.map((ix) => [ix.name, ix.columns])).toEqual([['ix_account_age', ['age']]]);
    expect(await rows('SELECT id, email, age, nickname, score FROM account ORDER BY id')).toEqual([
      [1, 'a@x', 30, null, 0],
      [2, 'b@x', 41, null, 0],
    ]);
    // The index still works on a rebuilt SQLite table, and the new type converts on write.
    await db.engine.execute({ sql: "INSERT INTO account (id, age) VALUES (3, '7')", params: [] });
    expect(await rows('SELECT age FROM account WHERE id = 3')).toEqual([[7]]);

    await migrate(async (op) => {
      await op.dropIndex('ix_account_age', 'account');
      await op.dropColumn('account', 'nickname');
      await op.dropColumn('account', 'age');
    });
    account = await table('account');
    expect(account.table.columns.map((c) => c.name)).toEqual(['id', 'email', 'score']);
    expect(account.info.indexes).toEqual([]);
    expect(await rows('SELECT id, email FROM account ORDER BY id')).toEqual([
      [1, 'a@x'],
      [2, 'b@x'],
      [3, null],
    ]);
    await migrate((op) => op.dropTable('account'));
    expect([...(await db.reflect()).metadata.tables.keys()]).toEqual([]);
  });

  it('rebuilds (SQLite) or alters a parent table that child tables refer to: rows, foreign keys and their enforcement kept', async () => {
    await migrate(async (op) => {
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
    await migrate(
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
      expect(await rows('PRAGMA foreign_key_check')).toEqual([]);
      expect(await rows('PRAGMA defer_foreign_keys')).toEqual([[0]]);
    }
    const author = await table('author');
    expect(columnsOf(author)[1]).toEqual({ name: 'name', type: 'String', nullable: false, default: null });
    expect((author.table.columns[1]!.type as unknown as { length: number }).length).toBe(80);
    expect(author.info.indexes.map((ix) => ix.name)).toEqual(['ix_author_name']);
    expect(await rows('SELECT id, name FROM author ORDER BY id')).toEqual([
      [1, 'Ann'],
      [2, 'Bo'],
    ]);
    // The CASCADE and SET NULL children were not touched by the rebuild.
    expect(await rows('SELECT id, author_id FROM book ORDER BY id')).toEqual([
      [10, 1],
      [11, 2],
      [12, null],
    ]);
    expect(await rows('SELECT id, author_id, editor_id FROM review ORDER BY id')).toEqual([
      [20, 1, 2],
      [21, 2, 1],
    ]);
    const book = await db.reflect({ tables: ['author', 'book'] });
    expect(book.tables.get('book')!.info.foreignKeys.map((fk) => [fk.referredTable, fk.onDelete])).toEqual([
      ['author', 'CASCADE'],
    ]);
    // The foreign keys still hold and still act.
    await expect(
      db.engine.execute({ sql: 'INSERT INTO book (id, author_id) VALUES (13, 99)', params: [] }),
    ).rejects.toThrow(IntegrityError);
    await db.engine.execute({ sql: 'DELETE FROM review WHERE author_id = 2', params: [] });
    await db.engine.execute({ sql: 'DELETE FROM author WHERE id = 2', params: [] });
    expect(await rows('SELECT id FROM book ORDER BY id')).toEqual([[10], [12]]);
    expect(await rows('SELECT id, editor_id FROM review ORDER BY id')).toEqual([[20, null]]);
  });

  it('adds and drops UNIQUE, CHECK, foreign key and primary key constraints', async () => {
    await migrate(async (op) => {
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
      await op.createForeignKey('fk_member_team', 'member', ['team_id'], 'team', ['id'], { onDelete: 'CASCADE' });
    });
    let member = await table('member');
    expect(member.info.primaryKey.columns).toEqual(['team_id', 'no']);
    expect(member.info.uniqueConstraints.map((u) => [u.name, u.columns])).toEqual([['uq_member_email', ['email']]]);
    expect(member.info.checks.map((c) => c.name)).toEqual(['ck_member_no']);
    expect(member.info.foreignKeys.map((fk) => [fk.name, fk.columns, fk.referredTable, fk.onDelete])).toEqual([
      ['fk_member_team', ['team_id'], 'team', 'CASCADE'],
    ]);
    await expect(
      db.engine.execute({ sql: "INSERT INTO member (team_id, no, email) VALUES (1, 0, 'c@x')", params: [] }),
    ).rejects.toThrow(IntegrityError);
    await expect(
      db.engine.execute({ sql: "INSERT INTO member (team_id, no, email) VALUES (1, 3, 'a@x')", params: [] }),
    ).rejects.toThrow(IntegrityError);

    // A UNIQUE made as a unique index is dropped as one (MySQL does not tell them apart).
    await migrate(async (op) => {
      await op.createIndex('ux_member_email', 'member', ['email', 'no'], { unique: true });
      await op.dropConstraint('ux_member_email', 'member', 'unique');
    });
    expect((await table('member')).info.indexes).toEqual([]);
    await migrate(async (op) => {
      await op.dropConstraint('fk_member_team', 'member', 'foreignKey');
      await op.dropConstraint('uq_member_email', 'member', 'unique');
      await op.dropConstraint('ck_member_no', 'member', 'check');
      await op.dropConstraint('pk_member_no', 'member', 'primaryKey');
    });
    member = await table('member');
    expect(member.info.primaryKey.columns).toEqual([]);
    expect(member.info.uniqueConstraints).toEqual([]);
    expect(member.info.checks).toEqual([]);
    expect(member.info.foreignKeys).toEqual([]);
    expect(await rows('SELECT team_id, no, email FROM member ORDER BY no')).toEqual([
      [1, 1, 'a@x'],
      [1, 2, 'b@x'],
    ]);
  });

  it('renames tables and columns, sets and drops defaults and comments', async () => {
    await accountWithRows();
    await migrate(async (op) => {
      await op.renameTable('account', 'member');
      await op.renameColumn('member', 'email', 'mail');
      await op.alterColumn('member', 'age', { newName: 'years', serverDefault: "'1'" });
      await op.setTableComment('member', 'people');
      await op.alterColumn('member', 'mail', { comment: 'where to write' });
    });
    const member = await table('member');
    expect(columnsOf(member)).toEqual([
      { name: 'id', type: 'Integer', nullable: false, default: null },
      { name: 'mail', type: 'String', nullable: false, default: null },
      // PostgreSQL keeps the default as '1'::character varying.
      { name: 'years', type: 'String', nullable: true, default: expect.stringMatching(/^'1'/) },
    ]);
    const comments = t.dialect !== 'sqlite'; // SQLite keeps no comments
    expect(member.table.comment ?? null).toBe(comments ? 'people' : null);
    expect(member.table.columns[1]!.comment ?? null).toBe(comments ? 'where to write' : null);
    expect(await rows('SELECT id, mail, years FROM member ORDER BY id')).toEqual([
      [1, 'a@x', '30'],
      [2, 'b@x', '41'],
    ]);
    await migrate(async (op) => {
      await op.alterColumn('member', 'years', { serverDefault: null });
      await op.setTableComment('member', null);
    });
    const after = await table('member');
    expect(after.table.columns[2]!.serverDefault).toBeUndefined();
    expect(after.table.comment).toBeUndefined();
  });

  it('a dry run reports the SQL and runs no DDL', async () => {
    await accountWithRows();
    const before = columnsOf(await table('account'));
    const sql: string[] = [];
    const events = await db.recordQueries(() =>
      migrate(
        async (op) => {
          await op.addColumn('account', Column('nickname', String(40)));
          await op.alterColumn('account', 'email', { nullable: true });
          await op.createIndex('ix_account_email', 'account', ['email']);
          await op.dropColumn('account', 'age');
          expect(await op.execute('UPDATE account SET age = NULL')).toEqual({ rows: [], rowsAffected: 0 });
        },
        { dryRun: true, onStatement: (s) => sql.push(s) },
      ),
    );
    expect(columnsOf(await table('account'))).toEqual(before);
    expect(sql.some((s) => /ADD COLUMN/.test(s))).toBe(true);
    expect(sql.some((s) => /CREATE INDEX/.test(s))).toBe(true);
    expect(sql).toContain('UPDATE account SET age = NULL');
    // Only catalog reads reached the database.
    const ran = events.filter((e) => e.kind === 'statement').map((e) => e.sql);
    expect(ran.filter((s) => !/^\s*(SELECT|PRAGMA|WITH)\b/i.test(s))).toEqual([]);
    expect(await rows('SELECT age FROM account ORDER BY id')).toEqual([['30'], ['41']]);
  });

  it('errors name the table and column at fault, before any DDL runs', async () => {
    await accountWithRows();
    const ddl: string[] = [];
    const attempt = (fn: (op: Operations) => Promise<void>) => migrate(fn, { onStatement: (s) => ddl.push(s) });
    await expect(attempt((op) => op.addColumn('nope', Column('x', Integer)))).rejects.toThrow(
      /addColumn\('nope'\): table 'nope' does not exist/,
    );
    await expect(attempt((op) => op.dropColumn('account', 'nope'))).rejects.toThrow(
      /table 'account' has no column 'nope' \(columns: id, email, age\)/,
    );
    const err = await attempt((op) => op.alterColumn('account', 'nope', { nullable: true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationOperationError);
    expect(err).toMatchObject({ table: 'account', column: 'nope', code: 'migration-operation' });
    await expect(attempt((op) => op.createIndex('ix', 'account', ['email', 'nope']))).rejects.toThrow(
      /no column 'nope'/,
    );
    await expect(attempt((op) => op.addColumn('account', Column('email', Text)))).rejects.toThrow(
      /already has a column 'email'/,
    );
    await expect(attempt((op) => op.alterColumn('account', 'age', { nulable: false } as never))).rejects.toThrow(
      ArgumentError,
    );
    await expect(attempt((op) => op.alterColumn('account', 'age', { nulable: false } as never))).rejects.toThrow(
      /unknown option 'nulable'; did you mean 'nullable'/,
    );
    await expect(attempt((op) => op.dropConstraint('x', 'account', 'index' as never))).rejects.toThrow(
      /kind must be one of/,
    );
    expect(ddl).toEqual([]);
  });

  it('execute() runs data migrations with bound parameters and returns rows', async () => {
    await accountWithRows();
    let result: unknown;
    await migrate(async (op) => {
      await op.execute(text('UPDATE account SET age = ? WHERE id = ?', ['31', 1]));
      result = await op.execute(text('SELECT id, age FROM account WHERE id <= ? ORDER BY id', [2]));
    });
    expect(result).toEqual({
      rows: [
        { id: 1, age: '31' },
        { id: 2, age: '41' },
      ],
      rowsAffected: 2,
    });
  });

  it('adds Enum columns (PostgreSQL: its type created once, reused, refused with other labels, dropped with its last column)', async () => {
    await accountWithRows();
    await migrate(async (op) => {
      await op.addColumn(
        'account',
        Column('status', Enum(['active', 'gone'], { name: 'account_status' }), { serverDefault: "'active'" }),
      );
      await op.createTable(
        'archive',
        Column('id', Integer, { primaryKey: true }),
        Column('status', Enum(['active', 'gone'], { name: 'account_status' })),
      );
    });
    const account = await table('account');
    const status = account.table.columns.find((c) => c.name === 'status')!;
    expect(status.type.typeName).toBe('Enum');
    expect((status.type as unknown as { values: string[] }).values).toEqual(['active', 'gone']);
    expect(await rows('SELECT status FROM account ORDER BY id')).toEqual([['active'], ['active']]);
    await expect(db.engine.execute({ sql: "UPDATE account SET status = 'other'", params: [] })).rejects.toThrow();
    if (t.dialect !== 'postgres') return;
    const types = async () =>
      (await rows("SELECT typname FROM pg_type WHERE typtype = 'e' ORDER BY typname")).map((r) => r[0]);
    await expect(
      migrate((op) => op.addColumn('account', Column('state', Enum(['on', 'off'], { name: 'account_status' })))),
    ).rejects.toThrow(/enum type "account_status" exists with the labels \(active, gone\), not \(on, off\)/);
    await migrate((op) => op.dropColumn('account', 'status'));
    expect(await types()).toEqual(['account_status']); // archive.status still uses it
    await migrate((op) => op.dropTable('archive'));
    expect(await types()).toEqual([]);
    await migrate((op) => op.addColumn('account', Column('state', Enum(['on', 'off'], { name: 'account_status' }))));
    await migrate((op) => op.alterColumn('account', 'state', { type: String(10) }));
    expect(await types()).toEqual([]);
  });

  it('tables in a schema (PostgreSQL)', async () => {
    if (t.dialect !== 'postgres') return;
    await db.engine.execute({ sql: 'CREATE SCHEMA app', params: [] });
    await migrate(async (op) => {
      await op.createTable('app.account', Column('id', Integer, { primaryKey: true }), Column('email', String(50)));
      await op.addColumn('app.account', Column('age', Integer));
      await op.alterColumn('app.account', 'email', { nullable: false });
      await op.createIndex('ix_app_account_age', 'app.account', ['age']);
      await op.renameTable('app.account', 'app.member');
      await op.dropIndex('ix_app_account_age', 'app.member');
    });
    const { tables } = await db.reflect({ schema: 'app' });
    const member = tables.get('member')!;
    expect(member.table.columns.map((c) => [c.name, c.nullable])).toEqual([
      ['id', false],
      ['email', false],
      ['age', true],
    ]);
    expect(member.info.indexes).toEqual([]);
  });

  it('SQLite rebuilds for what ADD/DROP COLUMN cannot do; other databases alter in place', async () => {
    await migrate(async (op) => {
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
    await migrate(
      async (op) => {
        await op.addColumn('post', Column('tag_id', Integer, ForeignKey('tag.id', { name: 'fk_post_tag' })));
        await op.addColumn('post', Column('code', String(10), { unique: true, index: true }));
        await op.dropColumn('post', 'slug');
      },
      { onStatement: (s) => statements.push(s) },
    );
    const rebuilds = statements.filter((s) => /^DROP TABLE "post"$/.test(s)).length;
    expect(rebuilds).toBe(t.dialect === 'sqlite' ? 3 : 0);
    const post = await table('post');
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
    expect(await rows('SELECT id, title, tag_id, code FROM post ORDER BY id')).toEqual([
      [1, 'a', null, null],
      [2, 'b', null, null],
    ]);
    await expect(
      db.engine.execute({ sql: "INSERT INTO post (id, title, tag_id) VALUES (3, 'c', 7)", params: [] }),
    ).rejects.toThrow(IntegrityError);
  });

  it('a foreign key that existing rows break fails, naming the table, and the transaction rolls back', async () => {
    await migrate(async (op) => {
      await op.createTable('tag', Column('id', Integer, { primaryKey: true }));
      await op.createTable('post', Column('id', Integer, { primaryKey: true }), Column('tag_id', Integer));
      await op.execute('INSERT INTO post (id, tag_id) VALUES (1, 5)');
    });
    const err = await migrate((op) => op.createForeignKey('fk_post_tag', 'post', ['tag_id'], 'tag', ['id'])).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(t.dialect === 'sqlite' ? MigrationOperationError : IntegrityError);
    if (t.dialect === 'sqlite')
      expect((err as Error).message).toMatch(/1 row of 'post' refers to missing rows of 'tag'/);
    expect((await table('post')).info.foreignKeys).toEqual([]);
    expect(await rows('SELECT id, tag_id FROM post')).toEqual([[1, 5]]);
  });

  it('MySQL restates the column from the catalog (or from existing): type, NOT NULL, default, comment, AUTO_INCREMENT kept', async () => {
    await migrate(async (op) => {
      await op.createTable(
        'item',
        Column('id', Integer, { primaryKey: true }),
        Column('qty', String(10), { nullable: false, serverDefault: "'1'", comment: 'how many' }),
      );
      await op.execute("INSERT INTO item (qty) VALUES ('3'), ('4')");
    });
    const statements: string[] = [];
    await migrate(
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
    const item = await table('item');
    expect(columnsOf(item)[1]).toMatchObject({ name: 'qty', type: 'Integer', nullable: false });
    expect(item.table.columns[0]!.autoincrement).toBe(true);
    await db.engine.execute({ sql: 'INSERT INTO item (qty) VALUES (9)', params: [] });
    expect(await rows('SELECT id, qty FROM item ORDER BY id')).toEqual([
      [1, 4],
      [2, 5],
      [3, 9],
    ]);
    if (t.dialect !== 'mysql') return;
    // A type Relata has no name for is restated as the catalog spells it.
    await db.engine.execute({
      sql: 'CREATE TABLE odd (id INT PRIMARY KEY, flags TINYINT(4) NOT NULL DEFAULT 3)',
      params: [],
    });
    const odd: string[] = [];
    await migrate((op) => op.alterColumn('odd', 'flags', { comment: 'bits' }), { onStatement: (s) => odd.push(s) });
    expect(odd).toEqual(["ALTER TABLE `odd` MODIFY COLUMN `flags` tinyint(4) NOT NULL DEFAULT 3 COMMENT 'bits'"]);
    // A dry run ahead of the database: the table is not there, existing says what the column is.
    const sql: string[] = [];
    await migrate(
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
      migrate((op) => op.alterColumn('later', 'name', { nullable: false }), { dryRun: true }),
    ).rejects.toThrow(/alterColumn\('later', 'name'\): MySQL restates the whole column, and its type is not known/);
  });

  it('a self-referencing table is altered (SQLite: rebuilt, also outside any transaction, its triggers kept)', async () => {
    await migrate(async (op) => {
      await op.createTable(
        'employee',
        Column('id', Integer, { primaryKey: true }),
        Column('boss_id', Integer, ForeignKey('employee.id', { ondelete: 'CASCADE' })),
        Column('name', String(40)),
      );
      await op.execute("INSERT INTO employee (id, boss_id, name) VALUES (1, NULL, 'a'), (2, 1, 'b'), (3, 2, 'c')");
    });
    if (t.dialect === 'sqlite') {
      await db.engine.execute({
        sql: 'CREATE TRIGGER employee_name AFTER INSERT ON employee BEGIN UPDATE employee SET name = upper(NEW.name) WHERE id = NEW.id; END',
        params: [],
      });
    }
    // No runner: the operation on a connection outside a transaction (a SQLite rebuild makes its own).
    const conn = await db.engine.connect();
    try {
      await createOperations(conn, db.engine.dialect).alterColumn('employee', 'name', { nullable: false });
    } finally {
      conn.release();
    }
    const employee = await table('employee');
    expect(columnsOf(employee)[2]).toMatchObject({ name: 'name', nullable: false });
    expect(employee.info.foreignKeys.map((fk) => [fk.columns, fk.referredTable, fk.onDelete])).toEqual([
      [['boss_id'], 'employee', 'CASCADE'],
    ]);
    expect(await rows('SELECT id, boss_id, name FROM employee ORDER BY id')).toEqual([
      [1, null, 'a'],
      [2, 1, 'b'],
      [3, 2, 'c'],
    ]);
    await db.engine.execute({ sql: "INSERT INTO employee (id, boss_id, name) VALUES (4, 3, 'd')", params: [] });
    await db.engine.execute({ sql: 'DELETE FROM employee WHERE id = 2', params: [] });
    expect(await rows('SELECT id, name FROM employee ORDER BY id')).toEqual([[1, 'a']]);
    if (t.dialect === 'sqlite') {
      await db.engine.execute({ sql: "INSERT INTO employee (id, name) VALUES (5, 'e')", params: [] });
      expect(await rows('SELECT name FROM employee WHERE id = 5')).toEqual([['E']]);
      expect(await rows('PRAGMA foreign_key_check')).toEqual([]);
    }
  });

  it('CREATE INDEX CONCURRENTLY outside a transaction (PostgreSQL; refused elsewhere)', async () => {
    await accountWithRows();
    const conn = await db.engine.connect();
    try {
      const op = createOperations(conn, db.engine.dialect);
      if (t.dialect !== 'postgres') {
        await expect(op.createIndex('ix_account_age', 'account', ['age'], { concurrently: true })).rejects.toThrow(
          /concurrently is PostgreSQL's/,
        );
        return;
      }
      await conn.begin();
      await expect(op.createIndex('ix_account_age', 'account', ['age'], { concurrently: true })).rejects.toThrow(
        /cannot run inside a transaction; give the migration transactional: false/,
      );
      await conn.rollback();
      await op.createIndex('ix_account_age', 'account', ['age'], { concurrently: true });
    } finally {
      conn.release();
    }
    expect((await table('account')).info.indexes.map((ix) => ix.name)).toEqual(['ix_account_age']);
  });

  it('a composite key and a composite foreign key to it survive a change of the parent (SQLite: a rebuild)', async () => {
    await migrate(async (op) => {
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
    await migrate((op) => op.alterColumn('line', 'note', { nullable: false }));
    const { tables } = await db.reflect({ tables: ['line', 'shipment'] });
    expect(tables.get('line')!.info.primaryKey.columns).toEqual(['order_id', 'line_no']);
    expect(tables.get('line')!.info.uniqueConstraints.map((u) => [u.name, u.columns])).toEqual([
      ['uq_line_note', ['note', 'line_no']],
    ]);
    expect(tables.get('shipment')!.info.foreignKeys.map((fk) => [fk.name, fk.columns, fk.referredColumns])).toEqual([
      ['fk_shipment_line', ['order_id', 'line_no'], ['order_id', 'line_no']],
    ]);
    expect(await rows('SELECT id FROM shipment ORDER BY id')).toEqual([[10], [11]]);
    await db.engine.execute({ sql: 'DELETE FROM line WHERE line_no = 2', params: [] });
    expect(await rows('SELECT id FROM shipment ORDER BY id')).toEqual([[10]]);
    await expect(
      db.engine.execute({ sql: 'INSERT INTO shipment (id, order_id, line_no) VALUES (12, 1, 9)', params: [] }),
    ).rejects.toThrow(IntegrityError);
  });
});
