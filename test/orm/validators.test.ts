/**
 * Validators (SQLAlchemy's @validates): a function run when an attribute is set (the constructor's
 * values included) and when an object joins a collection; what it returns is what is stored, and a
 * throw stores nothing. Loading from the database never runs them.
 */
import { afterEach, beforeEach, describe, expect, it as plainIt } from 'vitest';
import { ArgumentError, Database, MappingError } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database) {
  class Account extends db.Model('Account', {
    id: db.Column(db.Integer, { primaryKey: true }),
    email: db.Column(db.String(120), { nullable: false }),
    nickname: db.Column(db.String(40)),
    notes: db.relationship<Note>('Note', { backPopulates: 'account', cascade: 'all, delete-orphan', orderBy: 'id' }),
  }) {}
  class Note extends db.Model('Note', {
    id: db.Column(db.Integer, { primaryKey: true }),
    body: db.Column(db.String(200), { nullable: false }),
    accountId: db.Column(db.Integer, db.ForeignKey('account.id'), { name: 'account_id' }),
    account: db.relationship<Account>('Account', { backPopulates: 'notes', uselist: false }),
  }) {}
  const calls: string[] = [];
  db.validates(Account, 'email', (email, _account, op) => {
    calls.push(`${op} ${email}`);
    if (!email.includes('@')) throw new ArgumentError(`Account.email: '${email}' is not an email address`);
    return email.trim().toLowerCase();
  });
  db.validates(Account, 'nickname', (nickname) => (nickname === '' ? null : nickname));
  db.validates(
    Account,
    'notes',
    (note, _account, op) => {
      calls.push(`${op} ${note.body}`);
      if (op === 'remove' && note.body === 'pinned') throw new ArgumentError('a pinned note stays');
      // What the validator returns is what joins the collection.
      return op === 'append' && note.body.startsWith('draft:') ? new Note({ body: note.body.slice(6) }) : note;
    },
    { includeRemoves: true },
  );
  db.validates(Note, 'account', (account) => {
    if (account === null) throw new ArgumentError('a note belongs to an account');
    return account;
  });
  return { Account, Note, calls };
}

describeEachDialect('Validators', (t) => {
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

  it('normalise what is set and what the constructor is given: the row holds what they return', async () => {
    const { Account, calls } = M;
    const ada = new Account({ email: ' Ada@Example.ORG ', nickname: '' });
    expect(ada.email).toBe('ada@example.org');
    expect(ada.nickname).toBeNull();
    db.session.add(ada);
    expect(await db.countQueries(() => db.session.commit())).toBe(1); // the INSERT, with the normalised values
    ada.email = 'ADA@Lovelace.org';
    expect(ada.email).toBe('ada@lovelace.org');
    expect(await db.countQueries(() => db.session.commit())).toBe(1);
    expect(calls).toEqual(['set  Ada@Example.ORG ', 'set ADA@Lovelace.org']);
    const again = await db.newSession().get(Account, ada.id);
    expect([again!.email, again!.nickname]).toEqual(['ada@lovelace.org', null]);
    expect(calls).toHaveLength(2); // loading runs no validator
  });

  it('a throwing validator stores nothing: the old value stays and no statement is written', async () => {
    const { Account } = M;
    expect(() => new Account({ email: 'nobody' })).toThrow(/Account.email: 'nobody' is not an email address/);
    const ada = new Account({ email: 'ada@example.org' });
    db.session.add(ada);
    await db.session.commit();
    expect(() => (ada.email = 'not-an-address')).toThrow(ArgumentError);
    expect(ada.email).toBe('ada@example.org');
    expect(db.session.isDirty).toBe(false);
    expect(await db.countQueries(() => db.session.commit())).toBe(0);
    expect(await rows('SELECT email FROM account')).toEqual([['ada@example.org']]);
  });

  it('rows loaded from the database are not validated', async () => {
    const { Account, calls } = M;
    await db.engine.execute({ sql: "INSERT INTO account (email) VALUES ('LEGACY@EXAMPLE.ORG')", params: [] });
    const legacy = await db.newSession().query(Account).one();
    expect(legacy.email).toBe('LEGACY@EXAMPLE.ORG');
    expect(calls).toEqual([]);
  });

  it('a collection validator runs on append, and what it returns is what is appended and inserted', async () => {
    const { Account, Note, calls } = M;
    const ada = new Account({ email: 'ada@example.org', notes: [new Note({ body: 'first' })] });
    db.session.add(ada);
    await db.session.commit();
    const s = db.newSession();
    const loaded = (await s.get(Account, ada.id))!;
    const notes = await loaded.notes;
    notes.push(new Note({ body: 'draft:second' }));
    expect(notes.map((n) => n.body)).toEqual(['first', 'second']);
    expect(notes[1]!.account).toBe(loaded); // the replacement joined through the relationship, backref included
    expect(await db.countQueries(() => s.commit())).toBe(1); // INSERT of the replacement only
    expect(calls).toEqual(['set ada@example.org', 'append first', 'append draft:second']);
    expect(await rows('SELECT body FROM note ORDER BY id')).toEqual([['first'], ['second']]);
  });

  it('includeRemoves: the validator sees removals and a throw keeps the member where it was', async () => {
    const { Account, Note, calls } = M;
    db.session.add(
      new Account({ email: 'ada@example.org', notes: [new Note({ body: 'pinned' }), new Note({ body: 'old' })] }),
    );
    await db.session.commit();
    const s = db.newSession();
    const ada = await s.query(Account).one();
    const notes = await ada.notes;
    calls.length = 0;
    expect(() => notes.shift()).toThrow(/a pinned note stays/);
    expect(() => notes.splice(0, 2)).toThrow(/a pinned note stays/);
    expect(notes.map((n) => n.body)).toEqual(['pinned', 'old']);
    expect(notes.pop()!.body).toBe('old'); // removed: a delete-orphan at the next flush
    expect(calls).toEqual(['remove pinned', 'remove pinned', 'remove old']);
    expect(await db.countQueries(() => s.commit())).toBe(1);
    expect(await rows('SELECT body FROM note')).toEqual([['pinned']]);
  });

  it('assigning a collection validates the members it adds; a many-to-one validator guards its assignment', async () => {
    const { Account, Note, calls } = M;
    db.session.add(new Account({ email: 'ada@example.org', notes: [new Note({ body: 'kept' })] }));
    await db.session.commit();
    const s = db.newSession();
    const ada = await s.query(Account).one();
    const [kept] = await ada.notes;
    calls.length = 0;
    ada.notes = [kept!, new Note({ body: 'draft:added' })];
    expect(calls).toEqual(['append draft:added']);
    expect(ada.notes.map((n) => n.body)).toEqual(['kept', 'added']);
    expect(() => (kept!.account = null)).toThrow(/a note belongs to an account/);
    expect(kept!.account).toBe(ada);
    await s.commit();
    expect(await rows('SELECT body FROM note ORDER BY id')).toEqual([['kept'], ['added']]);
  });
});

describe('Validators: misuse', () => {
  plainIt('a validator for an attribute the model does not have, or a second one, is refused naming it', () => {
    const db = new Database();
    class Tag extends db.Model('Tag', {
      id: db.Column(db.Integer, { primaryKey: true }),
      name: db.Column(db.String(40), { nullable: false }),
    }) {}
    expect(() => db.validates(Tag, 'nmae' as 'name', (v) => v)).toThrow(MappingError);
    expect(() => db.validates(Tag, 'nmae' as 'name', (v) => v)).toThrow(/Tag has no column or relationship 'nmae'/);
    db.validates(Tag, 'name', (v) => v.trim());
    expect(() => db.validates(Tag, 'name', (v) => v)).toThrow(/Tag.name already has a validator/);
    expect(() => db.validates(Tag, 'name', 'trim' as never)).toThrow(ArgumentError);
    expect(() => db.validates(Tag, 'name', (v) => v, { includeRemove: true } as never)).toThrow(
      /did you mean 'includeRemoves'/,
    );
  });
});
