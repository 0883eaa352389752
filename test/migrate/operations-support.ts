/**
 * The harness of the migration operation tests: a fresh database per test (schemas and tables
 * dropped on the servers), operations run as the runner runs them (one connection, one transaction),
 * and the database reflected after.
 */
import { afterEach, beforeEach } from 'vitest';
import { Column, Database, Integer, String, createOperations, text, type ReflectedTable } from '../../src/index.js';
import type { Operations } from '../../src/migrate/operations.js';
import type { OperationsOptions } from '../../src/migrate/migration-operations.js';
import type { TestDatabase } from '../support/databases.js';

export function operationsHarness(t: TestDatabase) {
  const h = {
    db: undefined as unknown as Database,
    /** Runs `fn` with operations on one connection inside a transaction, as the runner does. */
    async migrate(fn: (op: Operations) => Promise<void>, options: OperationsOptions = {}): Promise<void> {
      const conn = await h.db.engine.connect();
      try {
        await conn.begin();
        await fn(createOperations(conn, h.db.engine.dialect, options));
        await conn.commit();
      } catch (err) {
        if (conn.inTransaction) await conn.rollback();
        throw err;
      } finally {
        conn.release();
      }
    },
    async rows(sql: string): Promise<unknown[][]> {
      return (await h.db.engine.execute({ sql, params: [], returnsRows: true })).rows;
    },
    async table(name: string): Promise<ReflectedTable> {
      return (await h.db.reflect({ tables: [name] })).tables.get(name)!;
    },
    columnsOf(reflected: ReflectedTable) {
      return reflected.table.columns.map((c) => ({
        name: c.name,
        type: c.type.typeName,
        nullable: c.nullable,
        default: c.serverDefault ?? null,
      }));
    },
    /** account(id, email NOT NULL, age VARCHAR) with two rows. */
    async accountWithRows(): Promise<void> {
      await h.migrate(async (op) => {
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
    },
  };

  beforeEach(async () => {
    if (t.skipReason) return;
    h.db = new Database(t.url, { nPlusOne: 'off' });
    const run = (sql: string) => h.db.engine.execute({ sql, params: [] });
    if (t.dialect === 'postgres') {
      await run('DROP SCHEMA IF EXISTS public CASCADE');
      await run('DROP SCHEMA IF EXISTS app CASCADE');
      await run('CREATE SCHEMA public');
    }
    if (t.dialect === 'mysql') {
      const names = await h.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'",
      );
      await run('SET FOREIGN_KEY_CHECKS = 0');
      for (const [n] of names) await run(`DROP TABLE \`${n as string}\``);
      await run('SET FOREIGN_KEY_CHECKS = 1');
    }
  });

  afterEach(async () => {
    if (!t.skipReason) await h.db.close();
  });

  return h;
}
