/** Compiled SQL and parameters for the SQLite compiler (the other dialects have their own files). */
import { describe, expect, it } from 'vitest';
import { ArgumentError, Database, and_, func, not_, or_, text } from '../../src/index.js';
import { Column, ForeignKey, MetaData, Table } from '../../src/sql/schema.js';
import { Delete, Insert, Update } from '../../src/sql/dml.js';
import { Select } from '../../src/sql/selectable.js';
import { Boolean, DateTime, Integer, Numeric, String } from '../../src/sql/types.js';
import { SqliteCompiler } from '../../src/dialects/sqlite/compiler.js';

const meta = new MetaData();
const users = meta.add(
  new Table('user', [
    new Column('id', Integer, [], { primaryKey: true }),
    new Column('name', String(50), [], { nullable: false }),
    new Column('active', Boolean),
    new Column('seen', DateTime),
  ]),
);
const posts = meta.add(
  new Table('post', [
    new Column('id', Integer, [], { primaryKey: true }),
    new Column('user_id', Integer, [new ForeignKey('user.id')]),
  ]),
);
const c = new SqliteCompiler();
const u = users.c;

describe('SQLite compiler', () => {
  it('binds every value and quotes every identifier', () => {
    const s = new Select({ columns: [u.id!, u.name!], from: [users] }).filter(
      u.name!.eq("x'; DROP TABLE user; --"),
      u.active!.eq(true),
    );
    expect(c.compile(s)).toEqual({
      sql: 'SELECT "user"."id", "user"."name" FROM "user" WHERE ("user"."name" = ? AND "user"."active" = ?)',
      params: ["x'; DROP TABLE user; --", 1],
    });
  });

  it('compiles operators, boolean logic and functions', () => {
    const when = new Date('2024-01-02T03:04:05.006Z');
    const s = new Select({ columns: [func.count(), func.max(u.id!)], from: [users] }).filter(
      or_(
        u.id!.in([1, 2]),
        and_(u.id!.between(3, 4), not_(u.name!.like('a%'))),
        u.name!.ilike('B%'),
        u.seen!.gt(when),
        u.active!.isNull(),
      ),
    );
    expect(c.compile(s)).toEqual({
      sql: 'SELECT count(*), max("user"."id") FROM "user" WHERE ("user"."id" IN (?, ?) OR ("user"."id" BETWEEN ? AND ? AND NOT ("user"."name" LIKE ?)) OR lower("user"."name") LIKE lower(?) OR "user"."seen" > ? OR "user"."active" IS NULL)',
      params: [1, 2, 3, 4, 'a%', 'B%', '2024-01-02 03:04:05.006'],
    });
  });

  it('compiles joins, ordering, limit/offset, distinct, subqueries, EXISTS and text()', () => {
    const s = new Select({ columns: [u.name!], from: [users], distinct: true })
      .outerJoin(posts, u.id!.eq(posts.c.user_id!))
      .orderByAlso(u.name!.desc(), u.id!)
      .withLimit(10)
      .withOffset(20);
    expect(c.compile(s).sql).toBe(
      'SELECT DISTINCT "user"."name" FROM "user" LEFT OUTER JOIN "post" ON "user"."id" = "post"."user_id" ORDER BY "user"."name" DESC, "user"."id" LIMIT 10 OFFSET 20',
    );
    const inner = new Select({ columns: [posts.c.user_id!], from: [posts] });
    const e = new Select({ columns: [u.id!], from: [users] }).filter(
      u.id!.in(inner),
      inner.exists(),
      text('"user"."id" > ?', [5]),
    );
    expect(c.compile(e)).toEqual({
      sql: 'SELECT "user"."id" FROM "user" WHERE ("user"."id" IN (SELECT "post"."user_id" FROM "post") AND EXISTS (SELECT "post"."user_id" FROM "post") AND "user"."id" > ?)',
      params: [5],
    });
    expect(c.compile(new Select({ columns: [u.id!], from: [users], offset: 5 })).sql).toBe(
      'SELECT "user"."id" FROM "user" LIMIT -1 OFFSET 5',
    );
  });

  it('compiles INSERT … RETURNING, UPDATE and DELETE with bound values', () => {
    expect(
      c.compile(
        new Insert(
          users,
          [users.column('name'), users.column('active')],
          [
            ['a', true],
            ['b', false],
          ],
          [users.column('id')],
        ),
      ),
    ).toEqual({
      sql: 'INSERT INTO "user" ("name", "active") VALUES (?, ?), (?, ?) RETURNING "id"',
      params: ['a', 1, 'b', 0],
    });
    expect(c.compile(new Update(users, new Map([[users.column('name'), 'z']]), u.id!.eq(3)))).toEqual({
      sql: 'UPDATE "user" SET "name" = ? WHERE "user"."id" = ?',
      params: ['z', 3],
    });
    expect(c.compile(new Delete(users, u.id!.in([1])))).toEqual({
      sql: 'DELETE FROM "user" WHERE "user"."id" IN (?)',
      params: [1],
    });
  });

  it('refuses a decimal SQLite would round (more than 15 significant digits)', () => {
    const t = new Table('money', [
      new Column('id', Integer, [], { primaryKey: true }),
      new Column('amount', Numeric(38, 18)),
    ]);
    expect(c.compile(new Insert(t, [t.column('amount')], [['1234567890123.45']])).params).toEqual([1234567890123.45]);
    expect(() => c.compile(new Insert(t, [t.column('amount')], [['12345678901234567890.123456789012345678']]))).toThrow(
      /SQLite cannot store the decimal 12345678901234567890\.123456789012345678 exactly/,
    );
  });

  it('func.call names any function, but only a plain identifier', () => {
    expect(c.compile(new Select({ columns: [func.call<string>('upper', u.name!)], from: [users] })).sql).toBe(
      'SELECT upper("user"."name") FROM "user"',
    );
    expect(() => func.call('x(); drop table user; --')).toThrow(/needs a function name/);
    expect(() => func['x(); drop table user; --']).toThrow(/not a function name/);
  });

  it('escapes quotes inside identifiers', () => {
    expect(c.quote('we"ird')).toBe('"we""ird"');
  });

  it('generates DDL with keys, constraints and foreign keys', () => {
    const [ddl] = c.createTable(posts);
    expect(ddl).toBe(
      'CREATE TABLE "post" (\n  "id" INTEGER NOT NULL,\n  "user_id" INTEGER,\n  PRIMARY KEY ("id"),\n  CONSTRAINT "fk_post_user_id_user" FOREIGN KEY ("user_id") REFERENCES "user" ("id")\n)',
    );
  });

  it('refuses what is not a value: undefined, objects, functions', () => {
    expect(() => u.name!.eq(undefined as never)).toThrow(ArgumentError);
    expect(() => u.name!.eq({} as never)).toThrow(/expected a string, got an object/);
    expect(() => u.id!.in(undefined as never)).toThrow(/needs an array of values/);
    expect(() => and_('x' as never)).toThrow(/and_\(\) needs SQL expressions/);
    expect(() => func.lower({ a: 1 } as never)).toThrow(/an object or array is not a SQL value/);
  });

  it('the ORM compiles the seed join with ON inferred from the foreign key', () => {
    const db = new Database();
    class User extends db.Model('User', {
      id: db.Column(db.Integer, { primaryKey: true }),
      isActive: db.Column(db.Boolean, { name: 'is_active' }),
    }) {}
    class Post extends db.Model('Post', {
      id: db.Column(db.Integer, { primaryKey: true }),
      user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
    }) {}
    expect(db.session.query(Post).join(User).filter(User.isActive.eq(true)).toSQL()).toEqual({
      sql: 'SELECT "post"."id", "post"."user_id" FROM "post" JOIN "user" ON "post"."user_id" = "user"."id" WHERE "user"."is_active" = ?',
      params: [1],
    });
  });
});
