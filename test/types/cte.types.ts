/**
 * Type-level behaviour of CTEs, set operations and fromStatement: a CTE's columns are typed from
 * its select (`tree.c.id` is a number column, a column it does not have is an error), a select of
 * them has typed rows, a compound's rows are its first select's, and models loaded from a CTE or a
 * statement are the model type.
 */
import {
  Database,
  func,
  select,
  selectinload,
  text,
  type CteColumn,
  type Cte,
  type CompoundSelect,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class Node extends db.Model('Node', {
  id: db.Column(db.Integer, { primaryKey: true }),
  parentId: db.Column(db.Integer, db.ForeignKey('node.id')),
  name: db.Column(db.String(20), { nullable: false }),
  children: db.relationship<Node>('Node', { backPopulates: 'parent' }),
  parent: db.relationship<Node>('Node', { remoteSide: 'id', backPopulates: 'children', uselist: false }),
}) {}

export async function ctes(): Promise<void> {
  let tree = select(Node.id, Node.name, func.count(Node.id).label('n'))
    .where(Node.id.eq(1))
    .cte('tree', { recursive: true });
  tree = tree.unionAll(
    select(Node.id, Node.name, func.count(Node.id).label('n')).join(tree, Node.parentId.eq(tree.c.id)),
  );
  expectType<Equal<typeof tree.c.id, CteColumn<number, 'id'>>>();
  expectType<Equal<typeof tree.c.name, CteColumn<string, 'name'>>>();
  expectType<Equal<typeof tree.c.n, CteColumn<number, 'n'>>>();
  // @ts-expect-error: the CTE has no column 'parentId' (it was not selected)
  void tree.c.parentId;
  // @ts-expect-error: a misspelt label
  void tree.c.count;

  const rows = await db.session.execute(select(tree.c.id, tree.c.name.label('label')));
  type Row = (typeof rows)[number];
  expectType<Equal<[keyof Row, Row['id'], Row['label']], ['id' | 'label', number, string]>>();
  // @ts-expect-error: rows have no 'name' (it was labelled 'label')
  void rows[0]?.name;

  const nodes = await db.session.query(Node).join(tree, Node.id.eq(tree.c.id)).all();
  expectType<Equal<typeof nodes, Node[]>>();
  const typed: Cte<{ id: number }> = select(Node.id).cte('ids');
  void typed;
}

export async function compounds(): Promise<void> {
  const u = select(Node.id, Node.name).union(select(Node.parentId.label('id'), Node.name));
  const rows = await db.session.execute(u.orderBy('name').limit(3));
  type Row = (typeof rows)[number];
  expectType<Equal<[keyof Row, Row['id'], Row['name']], ['id' | 'name', number, string]>>();
  const tuples = await db.session.execute(u).tuples();
  expectType<Equal<(typeof tuples)[number], [number, string]>>();
  // @ts-expect-error: ORDER BY of a compound names one of its output columns
  u.orderBy('title');
  const c: CompoundSelect = select(Node.id).except_(select(Node.parentId)).intersect(select(Node.id));
  void c;
}

export async function fromStatement(): Promise<void> {
  const nodes = await db.session
    .query(Node)
    .fromStatement(text('SELECT * FROM node'))
    .options(selectinload(Node.children))
    .all();
  const names: string[][] = nodes.map((n) => n.children.map((ch) => ch.name));
  void names;
  // @ts-expect-error: fromStatement takes text() or a select, not a string
  db.session.query(Node).fromStatement('SELECT * FROM node');
}
