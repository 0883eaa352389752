import { afterEach, expect } from 'vitest';
import { Database } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('DDL: table and column comments', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = null;
  });

  it("comments reach the database's catalog (PostgreSQL, MySQL); SQLite keeps none and does not refuse them", async () => {
    db = new Database(t.url);
    db.Model(
      'Invoice',
      {
        id: db.Column(db.Integer, { primaryKey: true }),
        total: db.Column(db.Integer, { comment: "in cents, it's \\ exact" }),
      },
      { comment: 'one per order' },
    );
    db.Table('invoice_tags', db.Column('invoice_id', db.Integer), { comment: 'tags' });
    await db.dropAll();
    await db.createAll();
    const ddl = db.engine.dialect.compiler.createTable(db.registry.metadata.tables.get('invoice')!).join(';\n');
    const rows = async (sql: string) => (await db!.engine.execute({ sql, params: [] })).rows;
    if (t.dialect === 'sqlite') {
      expect(ddl).not.toContain('COMMENT');
    } else if (t.dialect === 'postgres') {
      expect(ddl).toContain(`COMMENT ON COLUMN "invoice"."total" IS 'in cents, it''s \\ exact'`);
      expect(await rows("SELECT obj_description('invoice'::regclass, 'pg_class')")).toEqual([['one per order']]);
      expect(await rows("SELECT col_description('invoice'::regclass, 2)")).toEqual([["in cents, it's \\ exact"]]);
      expect(await rows("SELECT obj_description('invoice_tags'::regclass, 'pg_class')")).toEqual([['tags']]);
    } else {
      expect(ddl).toContain("COMMENT='one per order'");
      expect(
        await rows(
          "SELECT column_comment FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'invoice' AND column_name = 'total'",
        ),
      ).toEqual([["in cents, it's \\ exact"]]);
      expect(
        await rows(
          "SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'invoice'",
        ),
      ).toEqual([['one per order']]);
    }
  });
});
