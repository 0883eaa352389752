/**
 * Mapper events (beforeInsert … afterDelete, loaded) and session events (beforeFlush, afterFlush,
 * afterCommit, afterRollback): when they run, that a before-listener's change is written by the same
 * statement, that a throw aborts the flush like any flush failure, and that unsubscribing works.
 */
import { afterEach, beforeEach, describe, expect, it as plainIt } from 'vitest';
import { ArgumentError, Database, InvalidRequestError, PendingRollbackError } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  class Doc extends db.Model('Doc', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(80), { nullable: false }),
    createdAt: db.Column(db.DateTime, { name: 'created_at' }),
    updatedAt: db.Column(db.DateTime, { name: 'updated_at' }),
    revisions: db.Column(db.Integer, { nullable: false, default: 0 }),
    pages: db.relationship<Page>('Page', { backPopulates: 'doc', cascade: 'all, delete-orphan', orderBy: 'id' }),
  }) {}
  class Page extends db.Model('Page', {
    id: db.Column(db.Integer, { primaryKey: true }),
    docId: db.Column(db.Integer, db.ForeignKey('doc.id'), { name: 'doc_id' }),
    doc: db.relationship<Doc>('Doc', { backPopulates: 'pages', uselist: false }),
  }) {}
  class AuditLog extends db.Model('AuditLog', {
    id: db.Column(db.Integer, { primaryKey: true }),
    entry: db.Column(db.String(120), { nullable: false }),
  }) {}
  return { Doc, Page, AuditLog };
}

describeEachDialect('Mapper and session events', (t) => {
  const it = itOn(t);
  let db: Database;
  let M: ReturnType<typeof models>;
  beforeEach(async () => {
    if (t.skipReason) return;
    db = new Database(t.url, { nPlusOne: 'off' });
    M = models(db);
    await db.dropAll();
    await db.createAll();
  });
  afterEach(async () => {
    if (t.skipReason) return;
    await db.dropAll();
    await db.close();
  });

  const rows = async (sql: string) => (await db.engine.execute({ sql, params: [] })).rows;
  const statements = async (fn: () => Promise<unknown>) =>
    (await db.recordQueries(fn)).filter((e) => e.kind === 'statement').map((e) => e.sql);

  it('audit columns: beforeInsert and beforeUpdate values go out in the same single INSERT and UPDATE', async () => {
    const { Doc } = M;
    let clock = Date.UTC(2026, 0, 1);
    const now = () => new Date((clock += 1000));
    db.on(Doc, 'beforeInsert', (doc) => {
      doc.createdAt = doc.updatedAt = now();
    });
    db.on(Doc, 'beforeUpdate', (doc) => {
      doc.updatedAt = now();
      doc.revisions += 1;
    });
    const doc = new Doc({ title: 'draft' });
    db.session.add(doc);
    const inserted = await statements(() => db.session.commit());
    expect(inserted).toHaveLength(1);
    expect(inserted[0]).toMatch(/^INSERT INTO .doc. \(.title., .created_at., .updated_at., .revisions.\)/);
    doc.title = 'final';
    const updated = await statements(() => db.session.commit());
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatch(/^UPDATE .doc. SET .title. = .+, .updated_at. = .+, .revisions. = /);
    expect(db.session.isDirty).toBe(false); // the listener's changes were written, not left for the next flush
    expect(await db.countQueries(() => db.session.commit())).toBe(0);
    const again = (await db.newSession().get(Doc, doc.id))!;
    expect([again.title, again.revisions]).toEqual(['final', 1]);
    expect(again.createdAt!.getTime()).toBe(Date.UTC(2026, 0, 1, 0, 0, 1));
    expect(again.updatedAt!.getTime()).toBe(Date.UTC(2026, 0, 1, 0, 0, 2));
  });

  it('run around each row in flush order, after-events seeing the generated key; loaded once per object built', async () => {
    const { Doc, Page } = M;
    const log: string[] = [];
    for (const event of ['beforeInsert', 'afterInsert', 'beforeUpdate', 'afterUpdate'] as const) {
      db.on(Doc, event, (doc) => void log.push(`${event} ${doc.title} ${doc.id ?? '-'}`));
    }
    db.on(Doc, 'beforeDelete', (doc) => void log.push(`beforeDelete ${doc.title}`));
    let deleting: unknown = null;
    db.on(Doc, 'afterDelete', (doc, { session }) => void log.push(`afterDelete ${doc.title} ${session === deleting}`));
    db.on(Doc, 'loaded', (doc) => void log.push(`loaded ${doc.title}`));
    db.on(Page, 'afterInsert', (page) => void log.push(`page afterInsert doc ${page.docId}`));
    const doc = new Doc({ title: 'a', pages: [new Page()] });
    db.session.add(doc);
    await db.session.commit();
    expect(log).toEqual(['beforeInsert a -', `afterInsert a ${doc.id}`, `page afterInsert doc ${doc.id}`]);
    log.length = 0;
    const s = db.newSession();
    const loaded = (await s.query(Doc).all())[0]!;
    await s.query(Doc).all(); // already in the identity map: not built again
    expect(log).toEqual(['loaded a']);
    log.length = 0;
    (await loaded.pages).pop(); // only a collection changed: the Doc is still updated, as in SQLAlchemy
    await s.commit();
    expect(log).toEqual([`beforeUpdate a ${doc.id}`, `afterUpdate a ${doc.id}`]);
    log.length = 0;
    deleting = s;
    s.delete(loaded);
    await s.commit();
    expect(log).toEqual(['beforeDelete a', 'afterDelete a true']);
  });

  it('a throw in a listener aborts the flush: nothing is written and the session requires rollback()', async () => {
    const { Doc } = M;
    db.on(Doc, 'beforeInsert', (doc) => {
      if (doc.title === 'bad') throw new Error('refused by beforeInsert');
    });
    const good = new Doc({ title: 'good' });
    db.session.addAll([good, new Doc({ title: 'bad' })]);
    await expect(db.session.commit()).rejects.toThrow('refused by beforeInsert');
    await expect(db.session.commit()).rejects.toBeInstanceOf(PendingRollbackError);
    await db.session.rollback();
    expect(await rows('SELECT title FROM doc')).toEqual([]);
    expect(good.id).toBeNull();

    const kept = new Doc({ title: 'kept' });
    db.session.add(kept);
    await db.session.commit(); // the first flush of this transaction, then one that fails in beforeUpdate
    const off = db.on(Doc, 'beforeUpdate', () => {
      throw new Error('refused by beforeUpdate');
    });
    kept.title = 'changed';
    db.session.add(new Doc({ title: 'other' }));
    await expect(db.session.commit()).rejects.toThrow('refused by beforeUpdate');
    await db.session.rollback();
    expect(kept.title).toBe('kept');
    expect(await rows('SELECT title FROM doc')).toEqual([['kept']]);
    off();
    kept.title = 'changed';
    await db.session.commit();
    expect(await rows('SELECT title FROM doc')).toEqual([['changed']]);
  });

  it('an async listener is refused when it runs, naming the event, and the flush writes nothing', async () => {
    const { Doc } = M;
    // @ts-expect-error: listeners are synchronous
    db.on(Doc, 'beforeInsert', async (doc) => {
      doc.title = 'late';
    });
    db.session.add(new Doc({ title: 'x' }));
    const failure = db.session.commit();
    await expect(failure).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(failure).rejects.toThrow(
      /Doc beforeInsert: the listener returned a Promise; listeners are synchronous/,
    );
    await db.session.rollback();
    expect(await rows('SELECT title FROM doc')).toEqual([]);
  });

  it('beforeFlush may add and change objects: the same flush writes them', async () => {
    const { Doc, AuditLog } = M;
    const flushes: string[] = [];
    db.on('beforeFlush', ({ session, new: added, dirty }) => {
      for (const obj of [...added, ...dirty]) {
        if (obj instanceof Doc)
          session.add(new AuditLog({ entry: `${added.includes(obj) ? 'new' : 'dirty'} ${obj.title}` }));
      }
    });
    db.on('afterFlush', ({ new: added }) => void flushes.push(`flushed ${added.length}`));
    const doc = new Doc({ title: 'a' });
    db.session.add(doc);
    expect(await db.countQueries(() => db.session.commit())).toBe(2); // INSERT doc, INSERT audit_log
    doc.title = 'b';
    expect(await db.countQueries(() => db.session.commit())).toBe(2); // UPDATE doc, INSERT audit_log
    expect(flushes).toEqual(['flushed 2', 'flushed 1']); // afterFlush lists what beforeFlush added too
    expect(await rows('SELECT entry FROM audit_log ORDER BY id')).toEqual([['new a'], ['dirty b']]);
  });

  it('afterCommit and afterRollback: on the database for every session, on a session for that one; unsubscribing stops them', async () => {
    const { Doc } = M;
    const log: string[] = [];
    const s1 = db.newSession();
    const offDb = db.on('afterCommit', ({ session }) => void log.push(`db commit ${session === s1 ? 's1' : 's2'}`));
    db.on('afterRollback', ({ session }) => void log.push(`db rollback ${session === s1 ? 's1' : 's2'}`));
    const offS1 = s1.on('afterCommit', () => void log.push('s1 commit'));
    const s2 = db.newSession();
    s1.add(new Doc({ title: 'one' }));
    await s1.commit();
    s2.add(new Doc({ title: 'two' }));
    await s2.commit();
    expect(log).toEqual(['db commit s1', 's1 commit', 'db commit s2']);
    log.length = 0;
    await db.newSession().close(); // nothing begun: no transaction was rolled back
    s2.add(new Doc({ title: 'three' }));
    await s2.flush();
    await s2.rollback();
    expect(log).toEqual(['db rollback s2']);
    log.length = 0;
    offDb();
    offS1();
    offS1(); // a second call does nothing
    s1.add(new Doc({ title: 'four' }));
    await s1.commit();
    expect(log).toEqual([]);
    expect(await rows('SELECT title FROM doc ORDER BY id')).toEqual([['one'], ['two'], ['four']]);
  });

  it('afterRollback runs once when a failed flush rolled the transaction back', async () => {
    const { Doc } = M;
    const log: string[] = [];
    db.on('afterRollback', () => void log.push('rollback'));
    const doc = new Doc({ title: 'a' });
    db.session.add(doc);
    await db.session.flush();
    db.on(Doc, 'beforeUpdate', () => {
      throw new Error('no');
    });
    doc.title = 'b';
    await expect(db.session.commit()).rejects.toThrow('no');
    expect(log).toEqual(['rollback']);
    await db.session.rollback(); // the database transaction is already gone
    expect(log).toEqual(['rollback']);
    expect(await rows('SELECT title FROM doc')).toEqual([]);
  });
});

describe('Events: misuse', () => {
  plainIt('an unknown event name or a listener that is not a function is refused, naming them', () => {
    const db = new Database();
    class Tag extends db.Model('Tag', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    expect(() => db.on(Tag, 'beforeSave' as 'beforeInsert', () => undefined)).toThrow(ArgumentError);
    expect(() => db.on(Tag, 'beforeSave' as 'beforeInsert', () => undefined)).toThrow(
      /db.on\(Tag, "beforeSave"\): unknown event "beforeSave" \(events: beforeInsert, afterInsert/,
    );
    expect(() => db.on('afterSave' as 'afterCommit', () => undefined)).toThrow(/unknown event "afterSave"/);
    expect(() => db.newSession().on('beforeCommit' as 'afterCommit', () => undefined)).toThrow(
      /session.on\("beforeCommit"\): unknown event/,
    );
    expect(() => db.on('afterCommit', 'log' as never)).toThrow(/the listener must be a function/);
  });
});
