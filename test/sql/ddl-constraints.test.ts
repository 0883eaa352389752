import { afterEach, expect } from 'vitest';
import { ArgumentError, Database, IntegrityError } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

/** An order keyed by (id, region), its lines referring to it by a composite foreign key. */
function orders(db: Database) {
  class Order extends db.Model(
    'Order',
    {
      id: db.Column(db.Integer, { autoincrement: false }),
      region: db.Column(db.String(8)),
      lines: db.relationship<Line>('Line', { backPopulates: 'order' }),
    },
    { tableName: 'orders', tableArgs: [db.PrimaryKeyConstraint(['id', 'region'], { name: 'pk_orders_key' })] },
  ) {}
  class Line extends db.Model(
    'Line',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      orderId: db.Column('order_id', db.Integer, { nullable: false }),
      orderRegion: db.Column('order_region', db.String(8), { nullable: false }),
      qty: db.Column(db.Integer, { nullable: false }),
      order: db.relationship<Order>('Order', { backPopulates: 'lines', uselist: false }),
    },
    {
      tableArgs: [
        db.ForeignKeyConstraint(['order_id', 'order_region'], ['orders.id', 'orders.region'], {
          onDelete: 'CASCADE',
          name: 'fk_line_order',
        }),
        db.CheckConstraint('qty > 0', { name: 'ck_line_qty' }),
        // A column name that needs quoting, through the dialect's quoting (a string literal on MySQL otherwise).
        db.CheckConstraint((q) => `${q('order_region')} <> ''`, { name: 'ck_line_region' }),
      ],
    },
  ) {}
  return { Order, Line };
}

/** The DDL with every dialect's identifier quotes turned into double quotes, to compare one text. */
function ddl(db: Database, tableName: string): string {
  const table = db.registry.metadata.tables.get(tableName)!;
  return db.engine.dialect.compiler.createTable(table).join(';\n').replace(/`/g, '"');
}

describeEachDialect('DDL: table-level constraints', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = null;
  });

  it('emits a named composite primary key, a composite foreign key and a CHECK', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    orders(db);
    await db.dropAll();
    await db.createAll();
    const order = ddl(db, 'orders');
    expect(order).toContain('PRIMARY KEY ("id", "region")');
    if (t.dialect !== 'mysql') expect(order).toContain('CONSTRAINT "pk_orders_key" PRIMARY KEY');
    expect(order).toMatch(/"id" INT(EGER)? NOT NULL/);
    const line = ddl(db, 'line');
    expect(line).toContain(
      'CONSTRAINT "fk_line_order" FOREIGN KEY ("order_id", "order_region") REFERENCES "orders" ("id", "region") ON DELETE CASCADE',
    );
    expect(line).toContain('CONSTRAINT "ck_line_qty" CHECK (qty > 0)');
  });

  it('a relationship over a composite foreign key loads and flushes; the database enforces the key and the CHECK', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const { Order, Line } = orders(db);
    await db.dropAll();
    await db.createAll();
    const o = new Order({ id: 1, region: 'eu' });
    o.lines = [new Line({ qty: 2 }), new Line({ qty: 3 })];
    db.session.add(o);
    await db.session.commit();

    const s = db.newSession();
    const lines = await s.query(Line).orderBy(Line.id).all();
    expect(lines.map((l) => [l.orderId, l.orderRegion])).toEqual([
      [1, 'eu'],
      [1, 'eu'],
    ]);
    const parent = (await lines[0]!.order)!;
    expect([parent.id, parent.region]).toEqual([1, 'eu']);
    const loaded = (await s.query(Order).options(db.selectinload(Order.lines)).one())!;
    expect(loaded.lines.map((l) => l.qty).sort()).toEqual([2, 3]);
    await s.close();

    const bad = db.newSession();
    bad.add(new Line({ orderId: 1, orderRegion: 'us', qty: 1 }));
    const fkError = await bad.commit().catch((e: unknown) => e);
    expect(fkError).toBeInstanceOf(IntegrityError);
    if (t.dialect !== 'sqlite') expect(String((fkError as Error).message)).toContain('fk_line_order');
    await bad.close();

    const check = db.newSession();
    check.add(new Line({ orderId: 1, orderRegion: 'eu', qty: 0 }));
    const checkError = await check.commit().catch((e: unknown) => e);
    expect(checkError).toBeInstanceOf(IntegrityError);
    expect(String((checkError as Error).message)).toContain('ck_line_qty');
    await check.close();
    const quoted = db.newSession();
    quoted.add(new Line({ orderId: 1, orderRegion: '', qty: 1 }));
    const regionError = await quoted.commit().catch((e: unknown) => e);
    expect(regionError).toBeInstanceOf(IntegrityError);
    expect(String((regionError as Error).message)).toContain('ck_line_region');
    await quoted.close();

    // ON DELETE CASCADE over both columns.
    await db.engine.execute({ sql: 'DELETE FROM orders', params: [] });
    expect(await db.newSession().query(Line).count()).toBe(0);
  });

  it('two one-column foreign keys to a composite key are refused, naming the table and the fix', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    db.Model(
      'Order',
      { id: db.Column(db.Integer), region: db.Column(db.String(8)) },
      { tableName: 'orders', tableArgs: [db.PrimaryKeyConstraint(['id', 'region'])] },
    );
    db.Model('Line', {
      id: db.Column(db.Integer, { primaryKey: true }),
      orderId: db.Column('order_id', db.Integer, db.ForeignKey('orders.id')),
      orderRegion: db.Column('order_region', db.String(8), db.ForeignKey('orders.region')),
    });
    const err = await db.createAll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArgumentError);
    expect((err as Error).message).toMatch(
      /foreign key \(order_id\) of table 'line' refers to orders\.id, part of the composite primary key \(id, region\).*ForeignKeyConstraint/,
    );
    db.registry.metadata.tables.clear();
  });

  it('a secondary table without a primary key gets one over its foreign keys; associationPrimaryKey: false opts out', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const tags = db.Table(
      'post_tags',
      db.Column('post_id', db.Integer, db.ForeignKey('post.id')),
      db.Column('tag_id', db.Integer, db.ForeignKey('tag.id')),
    );
    const loose = db.Table(
      'post_likes',
      db.Column('post_id', db.Integer, db.ForeignKey('post.id')),
      db.Column('tag_id', db.Integer, db.ForeignKey('tag.id')),
      { associationPrimaryKey: false },
    );
    class Tag extends db.Model('Tag', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
    class Post extends db.Model('Post', {
      id: db.Column(db.Integer, { primaryKey: true }),
      tags: db.relationship<Tag>('Tag', { secondary: tags }),
      likes: db.relationship<Tag>('Tag', { secondary: loose }),
    }) {}
    await db.dropAll();
    await db.createAll();
    expect(tags.primaryKey.map((c) => c.name)).toEqual(['post_id', 'tag_id']);
    expect(ddl(db, 'post_tags')).toContain('PRIMARY KEY ("post_id", "tag_id")');
    expect(loose.primaryKey).toEqual([]);
    expect(ddl(db, 'post_likes')).not.toContain('PRIMARY KEY');

    const p = new Post({ id: 1 });
    p.tags = [new Tag({ id: 7 })];
    db.session.add(p);
    await db.session.commit();
    const s = db.newSession();
    expect((await s.query(Post).options(db.selectinload(Post.tags)).one())!.tags.map((x) => x.id)).toEqual([7]);
    const dup = await db.engine
      .execute({ sql: 'INSERT INTO post_tags (post_id, tag_id) VALUES (1, 7)', params: [] })
      .catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(IntegrityError);
    await s.close();
  });

  it('bad constraint declarations name the table and the column', () => {
    db = new Database('sqlite://');
    expect(() => db!.Table('a', db!.Column('x', db!.Integer), db!.PrimaryKeyConstraint(['x', 'nope']))).toThrow(
      /Table 'a': PrimaryKeyConstraint names column 'nope', which the table does not have \(columns: x\)/,
    );
    expect(() => db!.ForeignKeyConstraint(['x', 'y'], ['b.x'])).toThrow(/expected 2 targets, one per column/);
    expect(() => db!.ForeignKeyConstraint(['x'], ['b.x'], { ondelete: 'CASCADE' } as never)).toThrow(/onDelete/);
    expect(() =>
      db!.Table('c', db!.Column('x', db!.Integer, { nullable: true }), db!.PrimaryKeyConstraint(['x'])),
    ).toThrow(/c\.x: a primary key column cannot be nullable/);
    expect(() =>
      db!.Model(
        'M',
        { a: db!.Column(db!.Integer, { primaryKey: true }), b: db!.Column(db!.Integer) },
        { tableArgs: [db!.PrimaryKeyConstraint(['b'])] },
      ),
    ).toThrow(/column 'a' has primaryKey: true but is not in the PrimaryKeyConstraint \(b\)/);
    expect(() =>
      db!.Model('N', { a: db!.Column(db!.Integer, { primaryKey: true }) }, { tableArgs: ['x' as never] }),
    ).toThrow(/tableArgs must be a list of constraints/);
    db.registry.metadata.tables.clear();
  });
});
