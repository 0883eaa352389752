/**
 * Row locks: `Query.forUpdate()` and Core `select().forUpdate()` with nowait, skipLocked, of and
 * read, on every dialect: the SQL, what another session sees while the lock is held (a second
 * Database, its own connections), the transaction a locking read begins, and SQLite's refusal.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import {
  ArgumentError,
  CompileError,
  Database,
  DatabaseError,
  InvalidRequestError,
  insert,
  joinedload,
  selectColumns,
  selectinload,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { sqliteFileUrl } from '../support/outside.js';

function models(db: Database) {
  class Account extends db.Model(
    'Account',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      owner: db.Column(db.String(20), { nullable: false }),
      balance: db.Column(db.Integer, { nullable: false }),
      entries: db.relationship<Entry>('Entry', { backPopulates: 'account' }),
    },
    { tableName: 'lk_account' },
  ) {}
  class Entry extends db.Model(
    'Entry',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      accountId: db.Column(db.Integer, db.ForeignKey('lk_account.id'), { nullable: false }),
      amount: db.Column(db.Integer, { nullable: false }),
      account: db.relationship<Account>('Account', { backPopulates: 'entries', uselist: false }),
    },
    { tableName: 'lk_entry' },
  ) {}
  return { Account, Entry };
}

describeEachDialect('row locks (forUpdate)', (t) => {
  const it = itOn(t);
  let db: Database;
  let other: Database;
  let m: ReturnType<typeof models>;
  let om: ReturnType<typeof models>;

  beforeAll(async () => {
    if (t.skipReason) return;
    const url = t.dialect === 'sqlite' ? sqliteFileUrl() : t.url;
    db = new Database(url);
    m = models(db);
    await db.dropAll();
    await db.createAll();
    await db.session.execute(
      insert(m.Account).values([
        { owner: 'ann', balance: 100 },
        { owner: 'ben', balance: 50 },
        { owner: 'cat', balance: 10 },
      ]),
    );
    await db.session.execute(insert(m.Entry).values([{ accountId: 1, amount: 5 }]));
    await db.session.commit();
    other = new Database(url);
    om = models(other);
  });
  afterAll(async () => {
    await db?.close();
    await other?.close();
  });

  const q = (s: string) => (t.dialect === 'mysql' ? s.replace(/"/g, '`') : s);

  it('the SQL of each option, or on SQLite a refusal that says why and what to do', () => {
    const base = db.session.query(m.Account).filterBy({ owner: 'ann' });
    const tail = (query: typeof base) => {
      const sql = query.toSQL().sql;
      return sql.slice(sql.search(/ (FOR|LOCK) /));
    };
    if (t.dialect === 'sqlite') {
      expect(() => base.forUpdate().toSQL()).toThrow(CompileError);
      expect(() => base.forUpdate().toSQL()).toThrow(/SQLite has no row locks .* one writer at a time/);
      return;
    }
    expect(tail(base.forUpdate())).toBe(' FOR UPDATE');
    expect(tail(base.forUpdate({ nowait: true }))).toBe(' FOR UPDATE NOWAIT');
    expect(tail(base.forUpdate({ skipLocked: true }))).toBe(' FOR UPDATE SKIP LOCKED');
    if (t.dialect === 'postgres') {
      expect(tail(base.forUpdate({ read: true }))).toBe(' FOR SHARE');
      expect(tail(base.forUpdate({ of: m.Account, skipLocked: true }))).toBe(
        q(' FOR UPDATE OF "lk_account" SKIP LOCKED'),
      );
    } else {
      expect(tail(base.forUpdate({ read: true }))).toBe(' LOCK IN SHARE MODE');
      expect(() => base.forUpdate({ of: m.Account }).toSQL()).toThrow(/MariaDB has no FOR UPDATE OF/);
    }
    // The Core select takes the same options.
    const core = selectColumns(m.Account.id).filter(m.Account.balance.gt(0)).forUpdate({ read: true, nowait: true });
    expect(db.engine.dialect.compiler.compile(core).sql).toMatch(/ (FOR SHARE|LOCK IN SHARE MODE) NOWAIT$/);
  });

  it('bad options are refused when written, naming the option', async () => {
    const query = db.session.query(m.Account);
    expect(() => query.forUpdate({ nowait: true, skipLocked: true })).toThrow(
      /nowait and skipLocked exclude each other/,
    );
    expect(() => query.forUpdate({ skip_locked: true } as never)).toThrow(/skip_locked.*spelled skipLocked/);
    expect(() => query.forUpdate({ wait: 5 } as never)).toThrow(/unknown option 'wait'/);
    expect(() => query.forUpdate({ nowait: 'yes' } as never)).toThrow(ArgumentError);
    expect(() => query.forUpdate({ of: 'lk_account' } as never)).toThrow(/of takes models, tables or aliases/);
    await expect(query.forUpdate().count()).rejects.toThrow(/count\(\) cannot lock rows/);
  });

  it('a locked row: another session NOWAIT fails at once, SKIP LOCKED passes over it; the lock ends with the transaction', async () => {
    if (t.dialect === 'sqlite') return;
    const holder = db.newSession();
    const s = other.newSession();
    try {
      // Outside a transaction, the locking read begins one, so the lock lasts until commit().
      expect(holder.inTransaction).toBe(false);
      // By primary key: InnoDB locks every row a locking read scans, so a filter on an unindexed
      // column would lock the whole table there.
      const ann = await holder.query(m.Account).filterBy({ id: 1 }).forUpdate().one();
      expect(holder.inTransaction).toBe(true);

      await expect(s.query(om.Account).filterBy({ id: 1 }).forUpdate({ nowait: true }).all()).rejects.toBeInstanceOf(
        DatabaseError,
      );
      await s.rollback();
      const free = await s.query(om.Account).orderBy(om.Account.id).forUpdate({ skipLocked: true }).all();
      expect(free.map((a) => a.owner)).toEqual(['ben', 'cat']);
      await s.rollback();
      // A plain read is not blocked.
      expect((await s.query(om.Account).filterBy({ id: 1 }).one()).balance).toBe(100);

      ann.balance += 1;
      await holder.commit();
      // The object this session loaded above takes the committed value: a locked read populates.
      const after = await s.query(om.Account).filterBy({ id: 1 }).forUpdate({ nowait: true }).one();
      expect(after.balance).toBe(101);
    } finally {
      await s.rollback();
      await s.close();
      await holder.rollback();
      await holder.close();
    }
  });

  it('20 concurrent read-modify-write transactions with forUpdate() lose no update', async () => {
    if (t.dialect === 'sqlite') return;
    const before = (await other.newSession().query(om.Account).filterBy({ owner: 'cat' }).one()).balance;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (session) => {
          const cat = await session.query(m.Account).filterBy({ id: 3 }).forUpdate().one();
          await new Promise((resolve) => setTimeout(resolve, 1));
          cat.balance += 1;
        }),
      ),
    );
    const s = other.newSession();
    expect((await s.query(om.Account).filterBy({ owner: 'cat' }).one()).balance).toBe(before + 20);
    await s.close();
  });

  it('with joinedload() it is refused (it would lock the joined rows); selectinload() is fine', async () => {
    const joined = db.session.query(m.Account).options(joinedload(m.Account.entries)).forUpdate();
    await expect(joined.all()).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(joined.all()).rejects.toThrow(/forUpdate\(\) with joinedload\(Account.entries\).*selectinload/);
    if (t.dialect === 'sqlite') return;
    const s = db.newSession();
    const accounts = await s
      .query(m.Account)
      .options(selectinload(m.Account.entries))
      .orderBy(m.Account.id)
      .forUpdate()
      .all();
    expect(accounts.map((a) => a.entries.length)).toEqual([1, 0, 0]);
    await s.rollback();
    await s.close();
  });

  it('a tuple query with forUpdate() begins the transaction too, and its objects take the locked values', async () => {
    if (t.dialect === 'sqlite') return;
    const s = db.newSession();
    const stale = await s.query(m.Account).filterBy({ owner: 'ben' }).one();
    await other.engine.execute({
      sql: `UPDATE lk_account SET balance = balance + 5 WHERE owner = 'ben'`,
      params: [],
    });
    const rows = await s.query(m.Account, m.Account.balance).filter(m.Account.owner.eq('ben')).forUpdate().all();
    expect(s.inTransaction).toBe(true);
    expect(rows[0]![0]).toBe(stale);
    expect(stale.balance).toBe(rows[0]![1]); // overwritten by the locked read, as populateExisting()
    const o = other.newSession();
    await expect(o.query(om.Account).filterBy({ owner: 'ben' }).forUpdate({ nowait: true }).all()).rejects.toThrow();
    await o.rollback();
    await o.close();
    await s.rollback();
  });

  it('a Core select().forUpdate() run by session.execute() also begins the transaction', async () => {
    if (t.dialect === 'sqlite') return;
    const s = db.newSession();
    const rows = await s.execute(selectColumns(m.Account.id).filter(m.Account.owner.eq('ben')).forUpdate());
    expect(rows).toHaveLength(1);
    expect(s.inTransaction).toBe(true);
    const o = other.newSession();
    await expect(o.query(om.Account).filterBy({ owner: 'ben' }).forUpdate({ nowait: true }).all()).rejects.toThrow();
    await o.rollback();
    await s.rollback();
    // Released with the transaction: now the other session gets it at once.
    expect(await o.query(om.Account).filterBy({ owner: 'ben' }).forUpdate({ nowait: true }).all()).toHaveLength(1);
    await o.rollback();
    await o.close();
    await s.close();
  });
});
