/**
 * Statement shapes (src/sql/shape.ts): statements that differ only in bound values share a key and
 * their SQL, and SQL compiled for one of them gives every other exactly the parameters its own
 * compilation would; anything else that differs gives another key.
 */
import { describe, expect, it } from 'vitest';
import { and_, func, not_, or_, text, type ColumnElement } from '../../src/index.js';
import { BindParameter } from '../../src/sql/expressions.js';
import { Column, ForeignKey, MetaData, Table } from '../../src/sql/schema.js';
import { Delete, Insert, Update } from '../../src/sql/dml.js';
import { Select, TableAlias } from '../../src/sql/selectable.js';
import { ShapeKey } from '../../src/sql/shape.js';
import { Boolean, DateTime, Integer, String } from '../../src/sql/types.js';
import { SqliteCompiler } from '../../src/dialects/sqlite/compiler.js';
import { PostgresCompiler } from '../../src/dialects/postgres/compiler.js';
import { MysqlCompiler } from '../../src/dialects/mysql/compiler.js';

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
    new Column('title', String(50)),
  ]),
);
const u = users.c as Record<'id' | 'name' | 'active' | 'seen', ColumnElement>;
const p = posts.c as Record<'id' | 'user_id' | 'title', ColumnElement>;

function shapeOf(s: Select | Update | Delete): ShapeKey {
  const k = new ShapeKey();
  k.statement(s);
  return k;
}

/** Statements built by one function from different values: the same shape each time. */
const families: [string, (v: { n: number; s: string; b: boolean; d: Date }) => Select | Update | Delete][] = [
  [
    'UPDATE of bound values, versioned',
    (v) =>
      new Update(
        users,
        new Map<Column, unknown>([
          [users.columns[1]!, new BindParameter(v.s, String(50))],
          [users.columns[3]!, new BindParameter(v.d, DateTime)],
        ]),
        and_(u.id.eq(v.n), u.active.eq(v.b)),
      ),
  ],
  ['DELETE by keys', (v) => new Delete(posts, p.id.in([v.n, v.n + 1]))],
  [
    'equality and AND',
    (v) => new Select({ columns: [u.id, u.name], from: [users] }).filter(u.id.eq(v.n), u.name.ne(v.s)),
  ],
  [
    'operators, functions, booleans, dates',
    (v) =>
      new Select({ columns: [func.count(), func.max(u.id)], from: [users] }).filter(
        or_(
          u.id.in([v.n, v.n + 1, v.n + 2]),
          and_(u.id.between(v.n, v.n * 2), not_(u.name.like(`${v.s}%`))),
          u.name.ilike(v.s),
          u.seen.gt(v.d),
          u.active.eq(v.b),
        ),
      ),
  ],
  [
    'joins with a bound value in ON, alias, order, limit',
    (v) => {
      const a = new TableAlias(posts, 'p2');
      return new Select({ columns: [u.id, a.c.title!], from: [users] })
        .outerJoin(a, and_(a.c.user_id!.eq(u.id), a.c.title!.ne(v.s)))
        .filter(u.id.gt(v.n))
        .orderByAlso(u.name.desc())
        .withLimit(5)
        .withOffset(10);
    },
  ],
  [
    'subqueries: IN (SELECT), EXISTS, scalar, FROM',
    (v) => {
      const inner = new Select({ columns: [p.user_id], from: [posts] }).filter(p.title.eq(v.s));
      const sub = new Select({ columns: [u.id, u.name], from: [users] }).filter(u.id.lt(v.n)).subquery('s');
      return new Select({
        columns: [
          sub.c.id!,
          new Select({ columns: [func.count()], from: [posts] }).filter(p.id.gt(v.n)).scalarSubquery(),
        ],
        from: [sub],
      }).filter(
        sub.c.id!.in(inner),
        new Select({ columns: [p.id], from: [posts] }).filter(p.user_id.eq(sub.c.id!), p.id.ne(v.n)).exists(),
      );
    },
  ],
  [
    'text() with parameters',
    (v) => new Select({ columns: [u.id], from: [users] }).filter(text('name = ? OR id = ?', [v.s, v.n]), u.id.ne(v.n)),
  ],
];

const a = { n: 1, s: 'ann', b: true, d: new Date('2024-01-02T03:04:05Z') };
const b = { n: 7, s: 'bob', b: false, d: new Date('2025-06-07T08:09:10.5Z') };

describe.each([
  ['sqlite', new SqliteCompiler()],
  ['postgres', new PostgresCompiler()],
  ['mysql', new MysqlCompiler()],
])('Statement shapes [%s]', (_name, compiler) => {
  it.each(families)('%s: one key, one SQL text, each statement its own parameters', (_title, build) => {
    const [sa, sb] = [build(a), build(b)];
    const [ka, kb] = [shapeOf(sa), shapeOf(sb)];
    expect(ka.cacheable).toBe(true);
    expect(kb.key).toBe(ka.key);
    const shaped = compiler.compileShape(sa, ka)!;
    const own = compiler.compile(sb);
    expect(shaped.sql).toBe(own.sql);
    expect(shaped.params(kb)).toEqual(own.params);
    expect(shaped.params(ka)).toEqual(compiler.compile(sa).params);
  });
});

describe('Statement shapes: what makes two keys differ', () => {
  const base = () => new Select({ columns: [u.id], from: [users] });
  const variants: [string, Select][] = [
    ['eq', base().filter(u.id.eq(1))],
    ['ne', base().filter(u.id.ne(1))],
    ['is null', base().filter(u.id.eq(null))],
    ['other column', base().filter(u.name.eq('1'))],
    ['two values in IN', base().filter(u.id.in([1, 2]))],
    ['three values in IN', base().filter(u.id.in([1, 2, 3]))],
    ['limit 1', base().withLimit(1)],
    ['limit 2', base().withLimit(2)],
    ['offset', base().withLimit(1).withOffset(3)],
    ['desc', base().orderByAlso(u.id.desc())],
    ['asc', base().orderByAlso(u.id)],
    ['distinct', base().with({ distinct: true })],
    ['alias a', new Select({ columns: [new TableAlias(users, 'a').c.id!], from: [new TableAlias(users, 'a')] })],
    ['alias b', new Select({ columns: [new TableAlias(users, 'b').c.id!], from: [new TableAlias(users, 'b')] })],
    ['text 1', base().filter(text('id = ?', [1]))],
    ['text 2', base().filter(text('id <> ?', [1]))],
    ['label', new Select({ columns: [u.id.label('x')], from: [users] })],
    ['function', new Select({ columns: [func.lower(u.name as ColumnElement<string>)], from: [users] })],
    ['other table', new Select({ columns: [p.id], from: [posts] })],
  ];
  it('gives every variant its own key', () => {
    const keys = variants.map(([, s]) => shapeOf(s).key);
    expect(new Set(keys).size).toBe(variants.length);
  });

  it('an UPDATE of raw values (no bound nodes) is not cached', () => {
    const raw = new Update(users, new Map<Column, unknown>([[users.columns[1]!, 'x']]), u.id.eq(1));
    expect(shapeOf(raw).cacheable).toBe(false);
  });

  it('refuses to map back a bound node used twice, so that statement is not cached', () => {
    const same = u.name.eq('x');
    const twice = new Select({ columns: [u.id], from: [users] }).filter(or_(same, same));
    const twoNodes = new Select({ columns: [u.id], from: [users] }).filter(or_(u.name.eq('y'), u.name.eq('z')));
    const c = new SqliteCompiler();
    expect(shapeOf(twice).key).toBe(shapeOf(twoNodes).key);
    expect(c.compileShape(twice, shapeOf(twice))).toBeNull();
    // The other order is safe: SQL compiled from distinct nodes maps by position.
    expect(c.compileShape(twoNodes, shapeOf(twoNodes))!.params(shapeOf(twice))).toEqual(['x', 'x']);
  });
});

describe('INSERT texts', () => {
  it('are kept per table, columns, row count and RETURNING; the values are bound each time', () => {
    for (const c of [new SqliteCompiler(), new PostgresCompiler(), new MysqlCompiler()]) {
      const cols = [users.columns[1]!, users.columns[2]!, users.columns[3]!];
      const when = new Date('2024-05-06T07:08:09Z');
      const insert = (rows: unknown[][], returning = [users.columns[0]!]) => new Insert(users, cols, rows, returning);
      const fresh = (stmt: Insert) => {
        // A compiler that has never seen the shape compiles it from scratch: the reference.
        const ref = new (c.constructor as new () => typeof c)();
        return ref.compile(stmt);
      };
      const a = insert([
        ['ann', true, when],
        ['bob', null, null],
      ]);
      const b = insert([
        ['cyd', false, new Date(0)],
        ['dee', true, when],
      ]);
      expect(c.compile(a)).toEqual(fresh(a));
      expect(c.compile(b)).toEqual(fresh(b));
      expect(c.compile(b).sql).toBe(c.compile(a).sql);
      const three = insert([
        ['x', true, when],
        ['y', true, when],
        ['z', true, when],
      ]);
      expect(c.compile(three)).toEqual(fresh(three));
      const noReturning = insert(
        [
          ['x', true, when],
          ['y', true, when],
        ],
        [],
      );
      expect(c.compile(noReturning)).toEqual(fresh(noReturning));
      expect(c.compile(noReturning).sql).not.toBe(c.compile(a).sql);
    }
  });
});
