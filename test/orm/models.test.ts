import { afterEach, describe, expect, it as plainIt } from 'vitest';
import { ArgumentError, Database, IntegrityError, MappingError, tableNameFor } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describe('Model declaration', () => {
  plainIt('names tables as Flask-SQLAlchemy does, unless a name is given', () => {
    expect(['User', 'BlogPost', 'HTTPResponse', 'User2Group', 'OAuth2Token'].map(tableNameFor)).toEqual([
      'user',
      'blog_post',
      'http_response',
      'user2_group',
      'o_auth2_token',
    ]);
    const db = new Database();
    class BlogPost extends db.Model('BlogPost', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    class Track extends db.Model(
      'Track',
      { TrackId: db.Column(db.Integer, { primaryKey: true }) },
      { tableName: 'Track' },
    ) {}
    expect(BlogPost.__table__.name).toBe('blog_post');
    expect(Track.__table__.name).toBe('Track');
  });

  plainIt('maps attribute names to different column names', () => {
    const db = new Database();
    class Artist extends db.Model('Artist', {
      id: db.Column(db.Integer, { primaryKey: true, name: 'ArtistId' }),
      name: db.Column('Name', db.String(120)),
    }) {}
    expect(Artist.__table__.columns.map((c) => c.name)).toEqual(['ArtistId', 'Name']);
    expect(db.select(Artist).filterBy({ name: 'x' }).toSQL(db.session).sql).toBe(
      'SELECT "artist"."ArtistId", "artist"."Name" FROM "artist" WHERE "artist"."Name" = ?',
    );
  });

  plainIt('rejects bad declarations with errors naming the model', () => {
    const db = new Database();
    expect(() => db.Model('NoKey', { name: db.Column(db.String(10)) })).toThrow(/Model NoKey has no primary key/);
    expect(() => db.Model('Bad', { id: db.Column(db.Integer, { primaryKey: true }), x: 5 as never })).toThrow(
      /Bad\.x must be db\.Column/,
    );
    expect(() => db.Column('x' as never)).toThrow(/needs a type/);
    expect(() => db.ForeignKey('nodot')).toThrow(/expected 'table\.column'/);
    db.Model('Dup', { id: db.Column(db.Integer, { primaryKey: true }) });
    expect(() => db.Model('Dup', { id: db.Column(db.Integer, { primaryKey: true }) })).toThrow(/already declared/);
  });

  plainIt('a ForeignKey to a table that does not exist is an error at createAll, naming it', async () => {
    const db = new Database();
    db.Model('Post', {
      id: db.Column(db.Integer, { primaryKey: true }),
      user_id: db.Column(db.Integer, db.ForeignKey('users.id')),
    });
    await expect(db.createAll()).rejects.toThrow(
      /ForeignKey on post\.user_id refers to table 'users', which does not exist/,
    );
  });

  plainIt('a relationship to an unknown model or without a foreign key fails clearly', async () => {
    const db = new Database();
    db.Model('A', { id: db.Column(db.Integer, { primaryKey: true }), bs: db.relationship<object>('B') });
    await expect(db.createAll()).rejects.toThrow(/relationship A\.bs refers to model 'B', which is not declared/);
    const db2 = new Database();
    db2.Model('A', { id: db2.Column(db2.Integer, { primaryKey: true }), bs: db2.relationship<object>('B') });
    db2.Model('B', { id: db2.Column(db2.Integer, { primaryKey: true }) });
    await expect(db2.createAll()).rejects.toThrow(/relationship A\.bs: no foreign key links table 'a' and table 'b'/);
  });

  plainIt('a many-to-one declared without uselist: false is refused, so its type cannot lie', async () => {
    const db = new Database();
    db.Model('U', { id: db.Column(db.Integer, { primaryKey: true }) });
    db.Model('P', {
      id: db.Column(db.Integer, { primaryKey: true }),
      u_id: db.Column(db.Integer, db.ForeignKey('u.id')),
      u: db.relationship<object>('U'),
    });
    await expect(db.createAll()).rejects.toThrow(MappingError);
    await expect(db.createAll()).rejects.toThrow(/P\.u is many-to-one.*uselist: false/);
  });
});

describeEachDialect('Schema (DDL)', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = null;
  });

  const declare = () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const d = db;
    const tags = d.Table(
      'item_tags',
      d.Column('item_id', d.Integer, d.ForeignKey('item.id'), { primaryKey: true }),
      d.Column('tag', d.String(20), { primaryKey: true }),
    );
    class Owner extends d.Model('Owner', {
      id: d.Column(d.Integer, { primaryKey: true }),
      email: d.Column(d.String(100), { unique: true, nullable: false }),
      city: d.Column(d.String(50), { index: true }),
    }) {}
    class Item extends d.Model('Item', {
      id: d.Column(d.Integer, { primaryKey: true }),
      owner_id: d.Column(d.Integer, d.ForeignKey('owner.id'), { nullable: false }),
      price: d.Column(d.Numeric(10, 2)),
      weight: d.Column(d.Float),
      active: d.Column(d.Boolean, { default: true }),
      createdAt: d.Column(d.DateTime, { default: () => new Date('2024-05-06T07:08:09.123Z') }),
      day: d.Column(d.Date),
      meta: d.Column(d.JSON),
      notes: d.Column(d.Text),
      owner: d.relationship<Owner>('Owner', { uselist: false }),
    }) {}
    return { Owner, Item, tags };
  };

  it('createAll creates tables in dependency order with keys, constraints and indexes; dropAll removes them', async () => {
    const { Owner, Item } = declare();
    const events = await db!.recordQueries(() => db!.createAll());
    const created = events.map((e) => /CREATE TABLE (?:IF NOT EXISTS )?["`](\w+)/.exec(e.sql)?.[1]).filter(Boolean);
    expect(created).toEqual(['owner', 'item', 'item_tags']);
    expect(events.some((e) => /CREATE INDEX/.test(e.sql) && e.sql.includes('ix_owner_city'))).toBe(true);
    await db!.createAll(); // idempotent
    const owner = new Owner({ email: 'a@x.io' });
    const item = new Item({
      owner,
      price: '12.50',
      weight: 1.5,
      day: '2024-02-29',
      meta: { tags: ['a'], n: 1 },
      notes: 'é ☃',
    });
    db!.session.add(item);
    await db!.session.commit();
    const got = (await db!.newSession().get(Item, item.id))!;
    expect(got.price).toBe('12.50');
    expect(got.weight).toBe(1.5);
    expect(got.active).toBe(true);
    expect(got.createdAt).toEqual(new Date('2024-05-06T07:08:09.123Z'));
    expect(got.day).toBe('2024-02-29');
    expect(got.meta).toEqual({ tags: ['a'], n: 1 });
    expect(got.notes).toBe('é ☃');
  });

  it('enforces foreign keys, NOT NULL and UNIQUE as IntegrityError', async () => {
    const { Owner, Item } = declare();
    await db!.createAll();
    const s = db!.newSession();
    s.add(new Item({ owner_id: 12345 }));
    await expect(s.commit()).rejects.toBeInstanceOf(IntegrityError);
    await s.rollback();
    s.add(new Owner({ email: 'x@y.z' }));
    s.add(new Owner({ email: 'x@y.z' }));
    await expect(s.commit()).rejects.toBeInstanceOf(IntegrityError);
    await s.rollback();
    expect(() => new Owner({ email: null as never })).toThrow(/Owner\.email is not nullable/);
  });

  it('rejects a value of the wrong type on assignment, naming the attribute', () => {
    const { Item } = declare();
    const item = new Item();
    expect(() => (item.price = 12 as never)).not.toThrow(); // numbers are accepted for decimals
    expect(() => (item.day = '29/02/2024')).toThrow(/Item\.day: expected a 'YYYY-MM-DD' string/);
    expect(() => (item.createdAt = 'yesterday' as never)).toThrow(/Item\.createdAt: expected a Date/);
    expect(() => (item.active = 'yes' as never)).toThrow(ArgumentError);
  });
});
