/**
 * Core CTEs (plain and recursive), set operations and LATERAL on every database: the rows, the SQL
 * (one statement, WITH first), the refusals of what a database lacks, and the compiled-statement
 * cache giving each statement its own values.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { CompileError, ArgumentError, select, true_, update, Database, type CompoundSelect } from '../../src/index.js';
import { MysqlCompiler } from '../../src/dialects/mysql/compiler.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { openTree, statementsOf, treeModels, type TreeModels } from '../support/tree.js';

describeEachDialect('CTEs and set operations', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.dropAll();
    await db?.close();
    db = null;
  });
  const open = async (): Promise<{ db: Database } & TreeModels> => {
    const o = await openTree(t.url);
    db = o.db;
    return o;
  };
  const q = (sql: string) => (t.dialect === 'mysql' ? sql.replace(/"/g, '`') : sql);

  /** The descendants of `rootId` (itself included) by a recursive CTE. */
  const descendants = ({ Node }: TreeModels, rootId: number, minWeight = 0) => {
    let tree = select(Node.id, Node.parentId, Node.name).filter(Node.id.eq(rootId)).cte('tree', {
      recursive: true,
    });
    tree = tree.unionAll(
      select(Node.id, Node.parentId, Node.name)
        .join(tree, Node.parentId.eq(tree.c.id))
        .filter(Node.weight.ge(minWeight)),
    );
    return tree;
  };

  it('a CTE is a FROM element: WITH name (columns) AS (…) before the statement, one statement', async () => {
    const { db, Node } = await open();
    const heavy = select(Node.id, Node.name.label('label')).filter(Node.weight.ge(30)).cte('heavy');
    expect(Object.keys(heavy.c)).toEqual(['id', 'label']);
    const stmt = select(heavy.c.label).orderBy(heavy.c.label.desc());
    const sql = await statementsOf(db, async () => {
      expect(await db.session.execute(stmt)).toEqual([
        { label: 'b1' },
        { label: 'a2x' },
        { label: 'a2' },
        { label: 'a1' },
      ]);
    });
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(new RegExp(`^${q('WITH "heavy" \\("id", "label"\\) AS \\(SELECT ')}`));
    expect(sql[0]).toContain(q('FROM "heavy" ORDER BY "heavy"."label" DESC'));
  });

  it('a CTE joined to a table, and a CTE used by another CTE (defined first)', async () => {
    const { db, Node } = await open();
    const parents = select(Node.parentId.label('pid')).filter(Node.parentId.isNotNull()).cte('parents');
    const named = select(Node.id, Node.name).join(parents, Node.id.eq(parents.c.pid)).cte('named');
    const rows = await db.session.execute(select(named.c.name).distinct().orderBy(named.c.name));
    expect(rows).toEqual([{ name: 'a' }, { name: 'a2' }, { name: 'b' }, { name: 'root' }]);
    const [sql] = await statementsOf(db, () => db.session.execute(select(named.c.name)));
    expect(sql!.indexOf(q('"parents" ("pid") AS'))).toBeLessThan(sql!.indexOf(q('"named" ("id", "name") AS')));
    expect(sql!.match(/WITH/g)).toHaveLength(1);
  });

  it('a recursive CTE walks the tree: WITH RECURSIVE anchor UNION ALL member', async () => {
    const m = await open();
    const tree = descendants(m, 2);
    const stmt = select(tree.c.id, tree.c.name).orderBy(tree.c.id);
    const sql = await statementsOf(m.db, async () => {
      expect(await m.db.session.execute(stmt)).toEqual([
        { id: 2, name: 'a' },
        { id: 4, name: 'a1' },
        { id: 5, name: 'a2' },
        { id: 7, name: 'a2x' },
      ]);
    });
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(new RegExp(`^${q('WITH RECURSIVE "tree" \\("id", "parentId", "name"\\) AS \\(SELECT ')}`));
    expect(sql[0]).toContain(' UNION ALL SELECT ');
    expect(sql[0]).toContain(q('JOIN "tree" ON "cte_node"."parent_id" = "tree"."id"'));
  });

  it('the statement cache gives each recursive CTE its own values, also from many tasks at once', async () => {
    const m = await open();
    const ids = async (rootId: number, minWeight = 0) => {
      const tree = descendants(m, rootId, minWeight);
      const rows = await m.db.newSession().execute(select(tree.c.id).orderBy(tree.c.id));
      return rows.map((r) => r.id);
    };
    expect(await ids(1)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await ids(3)).toEqual([3, 6]);
    expect(await ids(1, 30)).toEqual([1]); // the member's own value, not the first statement's
    expect(await ids(2, 30)).toEqual([2, 4, 5, 7]);
    const expected: Record<number, number[]> = {
      1: [1, 2, 3, 4, 5, 6, 7],
      2: [2, 4, 5, 7],
      3: [3, 6],
      5: [5, 7],
      8: [8],
    };
    const roots = Array.from({ length: 40 }, (_, i) => [1, 2, 3, 5, 8][i % 5]!);
    const results = await Promise.all(roots.map((r) => ids(r)));
    results.forEach((got, i) => expect(got).toEqual(expected[roots[i]!]));
  });

  it('refuses a CTE that refers to itself without recursive, and two CTEs of one name', async () => {
    const { db, Node } = await open();
    const loop = select(Node.id).cte('loop');
    const bad = loop.unionAll(select(Node.id).join(loop, Node.parentId.eq(loop.c.id)));
    await expect(db.session.execute(select(bad.c.id))).rejects.toThrow(
      "CTE 'loop' refers to itself; pass { recursive: true } to cte()",
    );
    const x1 = select(Node.id).cte('x');
    const x2 = select(Node.name).cte('x');
    await expect(db.session.execute(select(x1.c.id, x2.c.name))).rejects.toThrow(CompileError);
    expect(() => select(Node.id, Node.id).cte('twice')).toThrow("cte('twice'): two columns are named 'id'");
  });

  it('refuses a CTE inside an UPDATE, which has no WITH clause here', async () => {
    const m = await open();
    const tree = descendants(m, 2);
    const stmt = update(m.Node)
      .where(m.Node.id.in(select(tree.c.id)))
      .values({ weight: 0 });
    await expect(m.db.session.execute(stmt)).rejects.toThrow(
      "CTE 'tree' is used in a statement that is not a SELECT; only a select can have a WITH clause",
    );
    await m.db.session.rollback();
  });

  it('union, unionAll, intersect and except, with ORDER BY and LIMIT on the whole compound', async () => {
    const { db, Node } = await open();
    const light = select(Node.name).filter(Node.weight.le(20));
    const underA = select(Node.name).filter(Node.parentId.eq(2));
    const names = async (stmt: CompoundSelect) => (await db.session.execute(stmt)).map((r) => r.name);
    expect(await names(light.union(underA).orderBy('name'))).toEqual(['a', 'a1', 'a2', 'b', 'other', 'root']);
    expect(await names(light.union(underA).orderBy(Node.name.desc()).limit(2).offset(1))).toEqual(['other', 'b']);
    expect((await names(light.unionAll(light))).length).toBe(8);
    expect(await names(light.intersect(select(Node.name).filter(Node.parentId.eq(1))).orderBy('name'))).toEqual([
      'a',
      'b',
    ]);
    expect(await names(light.except_(select(Node.name).filter(Node.parentId.isNull())).orderBy('name'))).toEqual([
      'a',
      'b',
    ]);
    // The same shape twice: the cached SQL takes each statement's own values.
    const under = (id: number) => light.union(select(Node.name).filter(Node.parentId.eq(id))).orderBy('name');
    expect(await names(under(3))).toEqual(['a', 'b', 'b1', 'other', 'root']);
    expect(await names(under(5))).toEqual(['a', 'a2x', 'b', 'other', 'root']);
    const [sql] = await statementsOf(db, () => db.session.execute(light.union(underA).orderBy('name').limit(3)));
    expect(sql).toMatch(new RegExp(`${q(' UNION SELECT .* ORDER BY "name" LIMIT 3$')}`));
  });

  it('a member with its own LIMIT, and a compound of compounds, are grouped', async () => {
    const { db, Node } = await open();
    const heaviest = select(Node.name).orderBy(Node.weight.desc(), Node.id).limit(1);
    const lightest = select(Node.name).orderBy(Node.weight, Node.id).limit(1);
    const rows = await db.session.execute(heaviest.union(lightest).orderBy('name'));
    expect(rows).toEqual([{ name: 'a2x' }, { name: 'root' }]);
    const ab = select(Node.name).filter(Node.id.in([2, 3]));
    const bc = select(Node.name).filter(Node.id.in([3, 4]));
    const both = ab.union(bc).intersect(select(Node.name).filter(Node.id.in([2, 4])));
    expect(await db.session.execute(both.orderBy('name'))).toEqual([{ name: 'a' }, { name: 'a1' }]);
  });

  it('INTERSECT ALL and EXCEPT ALL where the database has them; SQLite refuses with the reason', async () => {
    const { db, Node } = await open();
    const all = select(Node.weight);
    const thirty = select(Node.weight).filter(Node.weight.eq(30));
    if (t.dialect === 'sqlite') {
      await expect(db.session.execute(all.intersectAll(thirty))).rejects.toThrow(
        'SQLite has no INTERSECT ALL; use intersect() (duplicates removed)',
      );
      await expect(db.session.execute(all.exceptAll(thirty))).rejects.toThrow('SQLite has no EXCEPT ALL');
      return;
    }
    const weights = async (stmt: ReturnType<typeof all.exceptAll>) =>
      (await db.session.execute(stmt.orderBy('weight'))).map((r) => r.weight);
    expect(await weights(all.intersectAll(thirty))).toEqual([30, 30, 30]);
    expect(await weights(all.exceptAll(thirty))).toEqual([10, 10, 20, 20, 40]);
  });

  it('refuses members of different widths, and an ORDER BY that is not an output column', async () => {
    const { db, Node } = await open();
    expect(() => select(Node.id).union(select(Node.id, Node.name))).toThrow(
      'union(): every SELECT needs the same number of columns; the first has 1, member 2 has 2',
    );
    expect(() => select(Node.id).union()).toThrow(ArgumentError);
    const u = select(Node.id).union(select(Node.id)).orderBy(Node.weight);
    await expect(db.session.execute(u)).rejects.toThrow(
      "ORDER BY of a UNION: 'Node.weight' is not one of its output columns (id)",
    );
  });

  it('a compound as the body of a CTE', async () => {
    const { db, Node } = await open();
    const ends = select(Node.id)
      .filter(Node.id.eq(1))
      .union(select(Node.id).filter(Node.id.eq(7)))
      .cte('ends');
    const rows = await db.session.execute(select(Node.name).join(ends, Node.id.eq(ends.c.id)).orderBy(Node.id));
    expect(rows).toEqual([{ name: 'root' }, { name: 'a2x' }]);
  });

  it('LATERAL on PostgreSQL; MariaDB and SQLite refuse it, saying why', async () => {
    const { db, Node } = await open();
    const child = db.aliased(Node, 'child');
    const firstChild = select(child.name!.label('first'))
      .where(child.parentId.eq(Node.id))
      .orderBy(child.id)
      .limit(1)
      .lateral('fc');
    const stmt = select(Node.name, firstChild.c.first!).join(firstChild, true_()).orderBy(Node.id);
    if (t.dialect === 'postgres') {
      const sql = await statementsOf(db, async () => {
        expect(await db.session.execute(stmt)).toEqual([
          { name: 'root', first: 'a' },
          { name: 'a', first: 'a1' },
          { name: 'b', first: 'b1' },
          { name: 'a2', first: 'a2x' },
        ]);
      });
      expect(sql[0]).toContain('JOIN LATERAL (SELECT "child"."name" AS "first" FROM "cte_node" AS "child"');
      return;
    }
    const why =
      t.dialect === 'sqlite'
        ? "SQLite has no LATERAL subqueries (lateral 'fc')"
        : "MariaDB has no LATERAL subqueries (lateral 'fc')";
    await expect(db.session.execute(stmt)).rejects.toThrow(why);
  });
});

describe('what each MySQL and MariaDB version has', () => {
  const compilerFor = (flavor: 'mysql' | 'mariadb', version: [number, number, number]) => {
    const c = new MysqlCompiler();
    c.configureFor({ flavor, version });
    return c;
  };
  const db = new Database('sqlite://');
  const { Node } = treeModels(db);
  const child = db.aliased(Node, 'child');
  const lateral = select(child.name!).where(child.parentId.eq(Node.id)).limit(1).lateral('fc');
  const withLateral = select(Node.name, lateral.c.name!).join(lateral, true_());

  test('LATERAL from MySQL 8.0.14; refused before, and on MariaDB', () => {
    expect(compilerFor('mysql', [8, 0, 14]).compile(withLateral).sql).toContain('JOIN LATERAL (SELECT');
    expect(() => compilerFor('mysql', [8, 0, 13]).compile(withLateral)).toThrow(
      'LATERAL needs MySQL 8.0.14 or later; this server is 8.0.13',
    );
    expect(() => compilerFor('mariadb', [11, 4, 0]).compile(withLateral)).toThrow('MariaDB has no LATERAL subqueries');
  });

  test('INTERSECT/EXCEPT from MySQL 8.0.31 and MariaDB 10.3, their ALL forms from MariaDB 10.5', () => {
    const both = select(Node.id).intersect(select(Node.parentId));
    const all = select(Node.id).exceptAll(select(Node.parentId));
    expect(compilerFor('mysql', [8, 0, 31]).compile(all).sql).toContain(' EXCEPT ALL ');
    expect(() => compilerFor('mysql', [8, 0, 30]).compile(both)).toThrow(
      'INTERSECT needs MySQL 8.0.31 or later; this server is 8.0.30',
    );
    expect(compilerFor('mariadb', [10, 3, 0]).compile(both).sql).toContain(' INTERSECT ');
    expect(() => compilerFor('mariadb', [10, 4, 9]).compile(all)).toThrow(
      'EXCEPT ALL needs MariaDB 10.5 or later; this server is 10.4.9',
    );
  });
});
