/** session.beginNested(): SAVEPOINTs on every database, in the database and in memory. */
import { afterEach, expect } from 'vitest';
import {
  Database,
  IntegrityError,
  InvalidRequestError,
  NestedTransaction,
  PendingRollbackError,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('Nested transactions (savepoints)', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  async function open() {
    db = new Database(t.url, { nPlusOne: 'off' });
    class Tag extends db.Model('Tag', {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { unique: true, nullable: false }),
      uses: db.Column(db.Integer, { nullable: false, default: 0 }),
    }) {}
    await db.dropAll();
    await db.createAll();
    db.session.add(new Tag({ name: 'taken' }));
    await db.session.commit();
    const names = async () => (await db!.newSession().query(Tag).orderBy(Tag.name).all()).map((x) => x.name);
    return { Tag, names };
  }

  it('rollback() undoes only the work since the savepoint; the rest commits', async () => {
    const { Tag, names } = await open();
    const s = db!.newSession();
    const before = new Tag({ name: 'before' });
    s.add(before);
    const sp = await s.beginNested();
    expect(sp).toBeInstanceOf(NestedTransaction);
    const inside = new Tag({ name: 'inside' });
    s.add(inside);
    await s.flush();
    const taken = await s.query(Tag).filterBy({ name: 'taken' }).one();
    taken.uses = 5;
    await s.flush();
    await sp.rollback();
    expect(sp.isActive).toBe(false);
    expect(s.pending.has(inside as never)).toBe(false);
    expect(inside.id).toBeNull(); // transient again: its row is gone
    expect(taken.uses).toBe(0); // back to its value at the savepoint
    await s.commit();
    expect(await names()).toEqual(['before', 'taken']);
    expect((await db!.newSession().query(Tag).filterBy({ name: 'taken' }).one()).uses).toBe(0);
  });

  it('the callback form commits into the enclosing transaction, which decides', async () => {
    const { Tag, names } = await open();
    const s = db!.newSession();
    const result = await s.beginNested(async () => {
      s.add(new Tag({ name: 'kept' }));
      return 42;
    });
    expect(result).toBe(42);
    await s.rollback(); // the enclosing transaction rolls back: the released savepoint's work goes too
    expect(await names()).toEqual(['taken']);
    await s.beginNested(async () => s.add(new Tag({ name: 'kept' })));
    await s.commit();
    expect(await names()).toEqual(['kept', 'taken']);
  });

  it('a failing INSERT inside a savepoint (duplicate key) rolls back only the savepoint; the transaction goes on', async () => {
    const { Tag, names } = await open();
    const s = db!.newSession();
    s.add(new Tag({ name: 'outer' }));
    const dup = new Tag({ name: 'taken' });
    const err = await s
      .beginNested(async () => {
        s.add(dup);
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(dup.id).toBeNull();
    expect(s.pending.size).toBe(0);
    // On PostgreSQL a failed statement aborts the transaction; ROLLBACK TO SAVEPOINT must have repaired it.
    expect((await s.query(Tag).all()).length).toBe(2);
    s.add(new Tag({ name: 'after' }));
    await s.commit();
    expect(await names()).toEqual(['after', 'outer', 'taken']);
  });

  it('after a failed flush inside an explicit savepoint the session refuses work until that savepoint rolls back', async () => {
    const { Tag, names } = await open();
    const s = db!.newSession();
    s.add(new Tag({ name: 'outer' }));
    const sp = await s.beginNested();
    s.add(new Tag({ name: 'taken' }));
    await expect(s.flush()).rejects.toBeInstanceOf(IntegrityError);
    await expect(s.query(Tag).all()).rejects.toThrow(PendingRollbackError);
    await expect(s.query(Tag).all()).rejects.toThrow(/savepoint relata_sp_\d+ failed/);
    await sp.rollback();
    await s.commit();
    expect(await names()).toEqual(['outer', 'taken']);
  });

  it('savepoints nest; rolling back an outer one ends the inner ones; a finished one cannot be reused', async () => {
    const { Tag, names } = await open();
    const s = db!.newSession();
    const sp1 = await s.beginNested();
    s.add(new Tag({ name: 'one' }));
    const sp2 = await s.beginNested();
    s.add(new Tag({ name: 'two' }));
    await sp2.commit();
    const sp3 = await s.beginNested();
    s.add(new Tag({ name: 'three' }));
    await sp3.rollback();
    await sp1.commit();
    const sp4 = await s.beginNested();
    const sp5 = await s.beginNested();
    s.add(new Tag({ name: 'four' }));
    await sp4.rollback();
    expect(sp5.isActive).toBe(false);
    await expect(sp5.commit()).rejects.toBeInstanceOf(InvalidRequestError);
    await s.commit();
    await expect(sp1.rollback()).rejects.toThrow(/already ended/);
    expect(await names()).toEqual(['one', 'taken', 'two']);
  });

  it('a deleted object comes back when the savepoint rolls back', async () => {
    const { Tag, names } = await open();
    const s = db!.newSession();
    const taken = await s.query(Tag).one();
    const sp = await s.beginNested();
    s.delete(taken);
    await s.flush();
    expect(await s.query(Tag).count()).toBe(0);
    await sp.rollback();
    expect(await s.get(Tag, taken.id)).toBe(taken);
    await s.commit();
    expect(await names()).toEqual(['taken']);
  });
});
