/**
 * Migration operations on every dialect: each applied to tables with rows, the database reflected
 * after to show the change with the rows kept; dry runs; errors that name the table and column at
 * fault; enum types, schemas, data migrations. (Rebuilds and constraints: operations-rebuild.test.ts.)
 */
import { expect } from 'vitest';
import {
  Column,
  Enum,
  Integer,
  MigrationOperationError,
  ArgumentError,
  String,
  Text,
  createOperations,
  text,
} from '../../src/index.js';
import type { Operations } from '../../src/migrate/operations.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { operationsHarness } from './operations-support.js';

describeEachDialect('Migration operations', (t) => {
  const it = itOn(t);
  const h = operationsHarness(t);

  it('creates a table, adds and alters columns, indexes, drops: reflected after each, rows kept', async () => {
    await h.accountWithRows();
    await h.migrate(async (op) => {
      await op.addColumn('account', Column('nickname', String(40)));
      await op.addColumn('account', Column('score', Integer, { nullable: false, serverDefault: '0' }));
      await op.alterColumn('account', 'age', {
        type: Integer,
        ...(t.dialect === 'postgres' && { using: 'age::integer' }),
      });
      await op.alterColumn('account', 'email', { nullable: true });
      await op.createIndex('ix_account_age', 'account', ['age']);
    });
    let account = await h.table('account');
    expect(h.columnsOf(account)).toEqual([
      { name: 'id', type: 'Integer', nullable: false, default: null },
      { name: 'email', type: 'String', nullable: true, default: null },
      { name: 'age', type: 'Integer', nullable: true, default: null },
      { name: 'nickname', type: 'String', nullable: true, default: null },
      { name: 'score', type: 'Integer', nullable: false, default: '0' },
    ]);
    expect(account.info.indexes.map((ix) => [ix.name, ix.columns])).toEqual([['ix_account_age', ['age']]]);
    expect(await h.rows('SELECT id, email, age, nickname, score FROM account ORDER BY id')).toEqual([
      [1, 'a@x', 30, null, 0],
      [2, 'b@x', 41, null, 0],
    ]);
    // The index still works on a rebuilt SQLite table, and the new type converts on write.
    await h.db.engine.execute({ sql: "INSERT INTO account (id, age) VALUES (3, '7')", params: [] });
    expect(await h.rows('SELECT age FROM account WHERE id = 3')).toEqual([[7]]);

    await h.migrate(async (op) => {
      await op.dropIndex('ix_account_age', 'account');
      await op.dropColumn('account', 'nickname');
      await op.dropColumn('account', 'age');
    });
    account = await h.table('account');
    expect(account.table.columns.map((c) => c.name)).toEqual(['id', 'email', 'score']);
    expect(account.info.indexes).toEqual([]);
    expect(await h.rows('SELECT id, email FROM account ORDER BY id')).toEqual([
      [1, 'a@x'],
      [2, 'b@x'],
      [3, null],
    ]);
    await h.migrate((op) => op.dropTable('account'));
    expect([...(await h.db.reflect()).metadata.tables.keys()]).toEqual([]);
  });

  it('renames tables and columns, sets and drops defaults and comments', async () => {
    await h.accountWithRows();
    await h.migrate(async (op) => {
      await op.renameTable('account', 'member');
      await op.renameColumn('member', 'email', 'mail');
      await op.alterColumn('member', 'age', { newName: 'years', serverDefault: "'1'" });
      await op.setTableComment('member', 'people');
      await op.alterColumn('member', 'mail', { comment: 'where to write' });
    });
    const member = await h.table('member');
    expect(h.columnsOf(member)).toEqual([
      { name: 'id', type: 'Integer', nullable: false, default: null },
      { name: 'mail', type: 'String', nullable: false, default: null },
      // PostgreSQL keeps the default as '1'::character varying.
      { name: 'years', type: 'String', nullable: true, default: expect.stringMatching(/^'1'/) },
    ]);
    const comments = t.dialect !== 'sqlite'; // SQLite keeps no comments
    expect(member.table.comment ?? null).toBe(comments ? 'people' : null);
    expect(member.table.columns[1]!.comment ?? null).toBe(comments ? 'where to write' : null);
    expect(await h.rows('SELECT id, mail, years FROM member ORDER BY id')).toEqual([
      [1, 'a@x', '30'],
      [2, 'b@x', '41'],
    ]);
    await h.migrate(async (op) => {
      await op.alterColumn('member', 'years', { serverDefault: null });
      await op.setTableComment('member', null);
    });
    const after = await h.table('member');
    expect(after.table.columns[2]!.serverDefault).toBeUndefined();
    expect(after.table.comment).toBeUndefined();
  });

  it('a dry run reports the SQL and runs no DDL', async () => {
    await h.accountWithRows();
    const before = h.columnsOf(await h.table('account'));
    const sql: string[] = [];
    const events = await h.db.recordQueries(() =>
      h.migrate(
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
    expect(h.columnsOf(await h.table('account'))).toEqual(before);
    expect(sql.some((s) => /ADD COLUMN/.test(s))).toBe(true);
    expect(sql.some((s) => /CREATE INDEX/.test(s))).toBe(true);
    expect(sql).toContain('UPDATE account SET age = NULL');
    // Only catalog reads reached the database.
    const ran = events.filter((e) => e.kind === 'statement').map((e) => e.sql);
    expect(ran.filter((s) => !/^\s*(SELECT|PRAGMA|WITH)\b/i.test(s))).toEqual([]);
    expect(await h.rows('SELECT age FROM account ORDER BY id')).toEqual([['30'], ['41']]);
  });

  it('errors name the table and column at fault, before any DDL runs', async () => {
    await h.accountWithRows();
    const ddl: string[] = [];
    const attempt = (fn: (op: Operations) => Promise<void>) => h.migrate(fn, { onStatement: (s) => ddl.push(s) });
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
    await h.accountWithRows();
    let result: unknown;
    await h.migrate(async (op) => {
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
    await h.accountWithRows();
    await h.migrate(async (op) => {
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
    const account = await h.table('account');
    const status = account.table.columns.find((c) => c.name === 'status')!;
    expect(status.type.typeName).toBe('Enum');
    expect((status.type as unknown as { values: string[] }).values).toEqual(['active', 'gone']);
    expect(await h.rows('SELECT status FROM account ORDER BY id')).toEqual([['active'], ['active']]);
    await expect(h.db.engine.execute({ sql: "UPDATE account SET status = 'other'", params: [] })).rejects.toThrow();
    if (t.dialect !== 'postgres') return;
    const types = async () =>
      (await h.rows("SELECT typname FROM pg_type WHERE typtype = 'e' ORDER BY typname")).map((r) => r[0]);
    await expect(
      h.migrate((op) => op.addColumn('account', Column('state', Enum(['on', 'off'], { name: 'account_status' })))),
    ).rejects.toThrow(/enum type "account_status" exists with the labels \(active, gone\), not \(on, off\)/);
    await h.migrate((op) => op.dropColumn('account', 'status'));
    expect(await types()).toEqual(['account_status']); // archive.status still uses it
    await h.migrate((op) => op.dropTable('archive'));
    expect(await types()).toEqual([]);
    await h.migrate((op) => op.addColumn('account', Column('state', Enum(['on', 'off'], { name: 'account_status' }))));
    await h.migrate((op) => op.alterColumn('account', 'state', { type: String(10) }));
    expect(await types()).toEqual([]);
  });

  it('tables in a schema (PostgreSQL)', async () => {
    if (t.dialect !== 'postgres') return;
    await h.db.engine.execute({ sql: 'CREATE SCHEMA app', params: [] });
    await h.migrate(async (op) => {
      await op.createTable('app.account', Column('id', Integer, { primaryKey: true }), Column('email', String(50)));
      await op.addColumn('app.account', Column('age', Integer));
      await op.alterColumn('app.account', 'email', { nullable: false });
      await op.createIndex('ix_app_account_age', 'app.account', ['age']);
      await op.renameTable('app.account', 'app.member');
      await op.dropIndex('ix_app_account_age', 'app.member');
    });
    const { tables } = await h.db.reflect({ schema: 'app' });
    const member = tables.get('member')!;
    expect(member.table.columns.map((c) => [c.name, c.nullable])).toEqual([
      ['id', false],
      ['email', false],
      ['age', true],
    ]);
    expect(member.info.indexes).toEqual([]);
  });

  it('CREATE INDEX CONCURRENTLY outside a transaction (PostgreSQL; refused elsewhere)', async () => {
    await h.accountWithRows();
    const conn = await h.db.engine.connect();
    try {
      const op = createOperations(conn, h.db.engine.dialect);
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
    expect((await h.table('account')).info.indexes.map((ix) => ix.name)).toEqual(['ix_account_age']);
  });
});
