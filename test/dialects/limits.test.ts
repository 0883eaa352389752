/**
 * Each database's bound-parameter limit: a statement over it is refused before it is sent (an IN
 * list names its column), and a multi-row INSERT over it is split inside the caller's transaction.
 */
import { afterEach, expect } from 'vitest';
import { dialectForUrl } from '../../src/engine/url.js';
import { ArgumentError, Database, IntegrityError } from '../../src/index.js';
import { Insert } from '../../src/sql/dml.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Bound parameter limits', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  const LIMITS = { sqlite: 32_766, postgres: 65_535, mysql: 65_535 };

  async function open(options: { dialect?: ReturnType<typeof dialectForUrl> } = {}) {
    db = new Database(t.url, { nPlusOne: 'off', ...options });
    class User extends db.Model('User', {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(20), { nullable: false, unique: true }),
    }) {}
    await db.dropAll();
    await db.createAll();
    return User;
  }

  it('declares the limit the database enforces: IN of exactly the limit runs, one more is refused unsent', async () => {
    const User = await open();
    const limit = db!.engine.dialect.compiler.parameterLimit;
    expect(limit).toBe(LIMITS[t.dialect]);
    if (t.dialect === 'sqlite') {
      const { rows } = await db!.engine.execute({
        sql: "SELECT compile_options FROM pragma_compile_options WHERE compile_options LIKE 'MAX_VARIABLE_NUMBER=%'",
        params: [],
      });
      expect(rows).toEqual([[`MAX_VARIABLE_NUMBER=${limit}`]]);
    }
    db!.session.addAll([new User({ id: 1, name: 'a' }), new User({ id: limit, name: 'b' })]);
    await db!.session.commit();
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    const s = db!.newSession();
    expect(
      (
        await s
          .query(User)
          .filter(User.id.in(ids(limit)))
          .orderBy(User.id)
          .all()
      ).map((u) => u.name),
    ).toEqual(['a', 'b']);
    const over = async () =>
      s
        .query(User)
        .filter(User.id.in(ids(70_000)))
        .all();
    expect(await db!.countQueries(() => expect(over).rejects.toThrow(ArgumentError))).toBe(0);
    await expect(over).rejects.toThrow(
      new RegExp(
        `User\\.id\\.in\\(\\) of 70,000 values binds 70,000 parameters, more than .* \\(${limit.toLocaleString('en-US')}\\); nothing was sent`,
      ),
    );
    await expect(
      s
        .query(User)
        .filter(User.id.notIn(ids(limit + 1)))
        .count(),
    ).rejects.toThrow(/User\.id\.notIn\(\)/);
    // Any statement is checked, whatever built it, and the connection stays usable.
    const raw = db!.engine.execute({ sql: 'SELECT 1', params: ids(limit + 1) });
    await expect(raw).rejects.toThrow(/this statement binds .* parameters, more than/);
    expect(await s.query(User).count()).toBe(2);
  }, 30_000);

  it("db.insert(Model).values() of 40,000 rows × 2 columns is split, inside the caller's transaction", async () => {
    const User = await open();
    const n = 40_000;
    const rows = Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `u${i}` }));
    const s = db!.newSession();
    const events = await db!.recordQueries(async () => {
      expect(await s.execute(db!.insert(User).values(rows))).toEqual({ rowsAffected: n });
    });
    const per = Math.floor(db!.engine.dialect.compiler.maxParameters / 2);
    expect(events.map((e) => e.params.length)).toEqual(
      Array.from({ length: Math.ceil(n / per) }, (_, i) => 2 * Math.min(per, n - i * per)),
    );
    expect(await s.query(User).count()).toBe(n);
    await s.rollback(); // all of it was in the session's transaction
    expect(await db!.newSession().query(User).count()).toBe(0);
  }, 60_000);

  it('a Core INSERT over the limit: RETURNING rows in order, and all-or-nothing in a transaction of its own', async () => {
    // A compiler with a limit of 10 parameters (batches of 8), so a few rows show the splitting.
    const dialect = dialectForUrl(t.url);
    Object.defineProperty(dialect.compiler, 'parameterLimit', { value: 10 });
    Object.defineProperty(dialect.compiler, 'maxParameters', { value: 8 });
    const User = await open({ dialect });
    const table = User.__table__;
    const column = (name: string) => table.columns.find((c) => c.name === name)!;
    const cols = [column('id'), column('name')];
    const values = (from: number, n: number) => Array.from({ length: n }, (_, i) => [from + i, `n${from + i}`]);
    const returning = dialect.compiler.supportsReturning ? [column('name')] : [];
    const events = await db!.engine.recordQueries(async () => {
      const result = await db!.engine.execute(new Insert(table, cols, values(1, 9), returning));
      expect(result.rowsAffected).toBe(9);
      if (returning.length) expect(result.rows).toEqual(values(1, 9).map((r) => [r[1]]));
    });
    expect(events.map((e) => e.params.length)).toEqual([8, 8, 2]);
    // The third part fails (a duplicate id): the first two are rolled back with it.
    const failing = [...values(100, 8), [1, 'dup'], ...values(200, 3)];
    await expect(db!.engine.execute(new Insert(table, cols, failing))).rejects.toThrow(IntegrityError);
    expect(await db!.newSession().query(User).count()).toBe(9);
  });
});
