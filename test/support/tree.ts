/**
 * A small adjacency-list tree for the CTE, set-operation and fromStatement suites:
 *
 *   1 root ─┬─ 2 a ─┬─ 4 a1
 *           │       └─ 5 a2 ── 7 a2x
 *           └─ 3 b ─── 6 b1
 *   8 other
 */
import { Database, insert } from '../../src/index.js';

export function treeModels(db: Database) {
  class Node extends db.Model(
    'Node',
    {
      id: db.Column(db.Integer, { primaryKey: true, autoincrement: false }),
      parentId: db.Column(db.Integer, db.ForeignKey('cte_node.id'), { name: 'parent_id' }),
      name: db.Column(db.String(20), { nullable: false }),
      weight: db.Column(db.Integer, { nullable: false }),
      parent: db.relationship<Node>('Node', { remoteSide: 'id', backPopulates: 'children', uselist: false }),
      children: db.relationship<Node>('Node', { backPopulates: 'parent', orderBy: 'id' }),
    },
    { tableName: 'cte_node' },
  ) {}
  return { Node };
}

export type TreeModels = ReturnType<typeof treeModels>;

/** [id, parentId, name, weight], parents before children. */
export const TREE_ROWS: readonly (readonly [number, number | null, string, number])[] = [
  [1, null, 'root', 10],
  [8, null, 'other', 10],
  [2, 1, 'a', 20],
  [3, 1, 'b', 20],
  [4, 2, 'a1', 30],
  [5, 2, 'a2', 30],
  [6, 3, 'b1', 30],
  [7, 5, 'a2x', 40],
];

/** A Database on `url` with the tree's table created and filled (one INSERT, parents first). */
export async function openTree(url: string): Promise<{ db: Database } & TreeModels> {
  const db = new Database(url);
  const m = treeModels(db);
  await db.dropAll();
  await db.createAll();
  const rows = TREE_ROWS.map(([id, parentId, name, weight]) => ({ id, parentId, name, weight }));
  await db.session.execute(insert(m.Node).values(rows));
  await db.session.commit();
  return { db, ...m };
}

/** Statements sent while `fn` runs, without transaction control. */
export async function statementsOf(db: Database, fn: () => PromiseLike<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const off = db.onStatement((e) => {
    if (!/^(BEGIN|COMMIT|ROLLBACK|START TRANSACTION|SAVEPOINT|RELEASE)/i.test(e.sql)) seen.push(e.sql);
  });
  try {
    await fn();
  } finally {
    off();
  }
  return seen;
}
