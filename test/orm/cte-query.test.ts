/**
 * Models from a CTE and from hand-written SQL, on every database. A recursive CTE joined into an ORM
 * query (SQLAlchemy's `select(Node).join(tree, Node.id == tree.c.id)`) loads objects through the
 * identity map, with loader options, count() and paging; `fromStatement(text(...))` matches columns
 * by name, keeps the identity map, still runs selectin loads, and names what is missing.
 */
import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  InvalidRequestError,
  joinedload,
  select,
  selectinload,
  text,
  type Database,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { openTree, statementsOf, type TreeModels } from '../support/tree.js';

describeEachDialect('ORM queries over CTEs and statements', (t) => {
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
  /** The table and column names as this database quotes them. */
  const q = (sql: string) => (t.dialect === 'mysql' ? sql.replace(/"/g, '`') : sql);

  const subtree = ({ Node }: TreeModels, rootId: number) => {
    let tree = select(Node.id).filter(Node.id.eq(rootId)).cte('subtree', { recursive: true });
    tree = tree.unionAll(select(Node.id).join(tree, Node.parentId.eq(tree.c.id)));
    return tree;
  };

  it('loads the objects of a recursive CTE joined to the model: one statement, the identity map kept', async () => {
    const m = await open();
    const { Node } = m;
    const session = m.db.newSession();
    const a = (await session.get(Node, 2))!;
    const tree = subtree(m, 2);
    let nodes: InstanceType<typeof Node>[] = [];
    const sql = await statementsOf(m.db, async () => {
      nodes = await session.query(Node).join(tree, Node.id.eq(tree.c.id)).orderBy(Node.id).all();
    });
    expect(nodes.map((n) => n.name)).toEqual(['a', 'a1', 'a2', 'a2x']);
    expect(nodes[0]).toBe(a);
    expect(sql).toHaveLength(1);
    expect(sql[0]).toMatch(new RegExp(`^${q('WITH RECURSIVE "subtree" \\("id"\\) AS ')}`));
    expect(sql[0]).toContain(q('FROM "cte_node" JOIN "subtree" ON "cte_node"."id" = "subtree"."id"'));
  });

  it('takes loader options, filters, count() and paging over the CTE', async () => {
    const m = await open();
    const { Node } = m;
    const session = m.db.newSession();
    const tree = subtree(m, 1);
    const query = session.query(Node).join(tree, Node.id.eq(tree.c.id)).filter(Node.weight.le(20));
    const load = () => query.options(selectinload(Node.children)).orderBy(Node.id).all();
    let loaded: Awaited<ReturnType<typeof load>> = [];
    const sql = await statementsOf(m.db, async () => {
      loaded = await load();
    });
    expect(sql).toHaveLength(2);
    expect(loaded.map((n) => [n.name, n.children.map((c) => c.name)])).toEqual([
      ['root', ['a', 'b']],
      ['a', ['a1', 'a2']],
      ['b', ['b1']],
    ]);
    expect(await query.count()).toBe(3);
    const joined = await query.options(joinedload(Node.children)).orderBy(Node.id).limit(2).all();
    expect(joined.map((n) => n.children.length)).toEqual([2, 2]);
    const page = await query.orderBy(Node.id).paginate({ page: 2, perPage: 2 });
    expect([page.total, page.items.map((n) => n.name)]).toEqual([3, ['b']]);
  });

  it('refuses a CTE join without ON', async () => {
    const m = await open();
    const tree = subtree(m, 1);
    expect(() => m.db.session.query(m.Node).join(tree)).toThrow(
      "Node query join(CTE 'subtree'): pass the ON clause, e.g. join(subtree, Node.id.eq(subtree.c.id))",
    );
  });

  it('many sessions at once each get their own subtree (the compiled-load cache keeps values apart)', async () => {
    const m = await open();
    const { Node } = m;
    const expected: Record<number, string[]> = {
      1: ['root', 'a', 'b', 'a1', 'a2', 'b1', 'a2x'],
      2: ['a', 'a1', 'a2', 'a2x'],
      3: ['b', 'b1'],
      5: ['a2', 'a2x'],
      8: ['other'],
    };
    const roots = Array.from({ length: 50 }, (_, i) => [1, 2, 3, 5, 8][i % 5]!);
    const results = await Promise.all(
      roots.map(async (root) => {
        const tree = subtree(m, root);
        const nodes = await m.db.newSession().query(Node).join(tree, Node.id.eq(tree.c.id)).orderBy(Node.id).all();
        return nodes.map((n) => n.name);
      }),
    );
    results.forEach((names, i) => expect(names).toEqual(expected[roots[i]!]));
  });

  it('fromStatement(text()) matches columns by name, keeps the identity map and runs selectin loads', async () => {
    const m = await open();
    const { Node } = m;
    const session = m.db.newSession();
    const b = (await session.get(Node, 3))!;
    const stmt = text(q('SELECT weight, name, parent_id, id FROM cte_node WHERE weight = ? ORDER BY id'), [20]);
    const load = () => session.query(Node).fromStatement(stmt).options(selectinload(Node.children)).all();
    let nodes: Awaited<ReturnType<typeof load>> = [];
    const sql = await statementsOf(m.db, async () => {
      nodes = await load();
    });
    expect(sql).toHaveLength(2);
    expect(sql[0]).toBe(
      q('SELECT weight, name, parent_id, id FROM cte_node WHERE weight = ') +
        (t.dialect === 'postgres' ? '$1 ORDER BY id' : '? ORDER BY id'),
    );
    expect(nodes.map((n) => [n.id, n.name, n.parentId, n.weight])).toEqual([
      [2, 'a', 1, 20],
      [3, 'b', 1, 20],
    ]);
    expect(nodes[1]).toBe(b);
    expect(nodes.map((n) => n.children.map((c) => c.name))).toEqual([['a1', 'a2'], ['b1']]);
  });

  it('fromStatement() from many sessions at once: each gets its own rows, loaded once per session', async () => {
    const m = await open();
    const { Node } = m;
    const stmt = (weight: number) => text(q('SELECT * FROM cte_node WHERE weight = ? ORDER BY id'), [weight]);
    const weights = Array.from({ length: 40 }, (_, i) => [10, 20, 30, 40][i % 4]!);
    const expected: Record<number, number[]> = { 10: [1, 8], 20: [2, 3], 30: [4, 5, 6], 40: [7] };
    const results = await Promise.all(
      weights.map(async (w) => {
        const s = m.db.newSession();
        const first = await s.query(Node).fromStatement(stmt(w)).all();
        const again = await s.query(Node).fromStatement(stmt(w)).all();
        expect(again.every((n, i) => n === first[i])).toBe(true);
        return first.map((n) => n.id);
      }),
    );
    results.forEach((ids, i) => expect(ids).toEqual(expected[weights[i]!]));
  });

  it('fromStatement() of a Core select (a recursive CTE), attribute keys matching too', async () => {
    const m = await open();
    const { Node } = m;
    const tree = subtree(m, 5);
    const stmt = select(Node.id, Node.parentId.label('parentId'), Node.name, Node.weight)
      .join(tree, Node.id.eq(tree.c.id))
      .orderBy(Node.id);
    const nodes = await m.db.newSession().query(Node).fromStatement(stmt).all();
    expect(nodes.map((n) => [n.name, n.parentId])).toEqual([
      ['a2', 2],
      ['a2x', 5],
    ]);
  });

  it('fromStatement() names the model and the column it misses, and refuses what it would ignore', async () => {
    const m = await open();
    const { Node } = m;
    const s = m.db.newSession();
    await expect(
      s
        .query(Node)
        .fromStatement(text(q('SELECT name, weight, parent_id FROM cte_node')))
        .all(),
    ).rejects.toThrow(
      new InvalidRequestError(
        "Node fromStatement(): the statement returns no column 'id' for Node.id (a primary key column: objects are identified by it); it returned 'name', 'weight', 'parent_id'",
      ),
    );
    await expect(
      s
        .query(Node)
        .fromStatement(text(q('SELECT id, name, parent_id FROM cte_node')))
        .all(),
    ).rejects.toThrow("Node fromStatement(): the statement returns no column 'weight' for Node.weight");
    await expect(
      s
        .query(Node)
        .fromStatement(text(q('SELECT id, name, weight, parent_id, id FROM cte_node')))
        .all(),
    ).rejects.toThrow("the statement returns two columns named 'id' (for Node.id)");
    const all = text(q('SELECT * FROM cte_node'));
    await expect(s.query(Node).filter(Node.id.eq(1)).fromStatement(all).all()).rejects.toThrow(
      new ArgumentError(
        "Node query: fromStatement() runs its statement as written and would ignore the query's filters; put them in the statement",
      ),
    );
    await expect(s.query(Node).fromStatement(all).options(joinedload(Node.children)).all()).rejects.toThrow(
      'Node.children would be loaded by a join, which a statement written by hand cannot take; use selectinload()',
    );
    await expect(s.query(Node).fromStatement(all).count()).rejects.toThrow(ArgumentError);
    expect(() => s.query(Node).fromStatement('SELECT 1' as never)).toThrow(
      "Node query fromStatement() takes text('SELECT …') or a select, got string",
    );
    expect(() => s.query(Node).fromStatement(all).stream()).toThrow(
      /Node query: stream\(\) does not stream a fromStatement\(\) query yet/,
    );
    if (m.db.engine.dialect.name !== 'sqlite')
      await expect(s.query(Node).forUpdate().fromStatement(all).all()).rejects.toThrow(
        /would ignore the query's forUpdate/,
      );
    expect((await s.query(Node).fromStatement(all).all()).length).toBe(8);
  });
});
