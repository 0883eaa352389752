/**
 * The loading planner: for one entity and the options given, which strategy loads each relationship,
 * and the columns, joins and ordering that adds to the query (SQLAlchemy's strategy setup). The plan
 * it returns is what the load context reads rows with; plans are cached with the compiled loads.
 */
import type { ResultProcessor } from '../../dialects/dialect.js';
import type { ColumnElement, OrderByElement } from '../../sql/expressions.js';
import { Join, TableAlias, type FromClause } from '../../sql/selectable.js';
import { replaceFrom } from '../../sql/visitors.js';
import type { MappedColumn, Mapper, RowReader } from '../mapping/mapper.js';
import type { RelationshipProperty } from '../mapping/relationships.js';
import type { Session } from '../session/session.js';
import { columnsOf, type LoadNode } from './load-tree.js';
import { planColumns } from './column-plan.js';
import type { LoadStrategy } from './options.js';
import { strategyFor } from './strategies/index.js';
import { planPolymorphic, type PolymorphicReader } from './polymorphic.js';
import type { Table } from '../../sql/schema.js';

/** A relationship read from the same row as its parent (joined, containsEager). */
export interface JoinedChild {
  readonly prop: RelationshipProperty;
  readonly plan: EntityPlan;
}

/** A relationship loaded by a query of its own once the parents are known (selectin). */
export interface PostLoad {
  readonly prop: RelationshipProperty;
  readonly children: Map<RelationshipProperty, LoadNode>;
  readonly path: readonly RelationshipProperty[];
}

/** How to read one entity (and what is joined under it) out of a row. */
export interface EntityPlan {
  readonly mapper: Mapper;
  readonly from: FromClause;
  readonly offset: number;
  readonly processors: (ResultProcessor | null)[];
  /** The mapper's row reader for these processors, looked up once per plan rather than per row. */
  readonly read: RowReader;
  /** This plan's number within its query (0 for the root): LoadContext keeps an identity map per number. */
  readonly index: number;
  /** The columns read when not every one is (deferred columns, column options); null: all, in order. */
  readonly columns: readonly MappedColumn[] | null;
  /** The column keys the objects read are left without (null: none). */
  readonly unloaded: ReadonlySet<string> | null;
  /** Row positions of the primary key from `offset` when the plan reads a subset of the columns. */
  readonly keyAt: readonly number[] | null;
  readonly joined: JoinedChild[];
  readonly post: PostLoad[];
  overrides: Map<RelationshipProperty, LoadStrategy> | null;
  /** For a model with subclasses: which class each row is, and how to read it (see polymorphic.ts). */
  readonly poly: PolymorphicReader | null;
}

const NO_OPTIONS = new Map<RelationshipProperty, LoadNode>();

/** Builds the columns, joins and ordering for loading an entity with its eager relationships. */
export class Planner {
  readonly columns: ColumnElement[] = [];
  readonly joins: { right: FromClause; on: ColumnElement<boolean> }[] = [];
  readonly orderBy: OrderByElement[] = [];
  /** How many entity plans this planner made. */
  planCount = 0;
  private aliasCount = 0;

  constructor(private readonly session: Session) {}

  plan(
    mapper: Mapper,
    from: FromClause,
    options: Map<RelationshipProperty, LoadNode>,
    path: readonly RelationshipProperty[],
    /** Subclass tables the query LEFT OUTER JOINs (withPolymorphic): their columns are read from its rows. */
    polymorphicTables: readonly Table[] = [],
  ): EntityPlan {
    const offset = this.columns.length;
    const cols = planColumns(mapper, from, columnsOf(options), this.session.dialect);
    for (const c of cols.select) this.columns.push(c);
    const processors = mapper.processors(this.session.dialect);
    const dialect = this.session.dialect;
    const poly = mapper.inheritance.polymorphic
      ? planPolymorphic(this.columns, dialect, mapper, from, offset, polymorphicTables, cols)
      : null;
    const plan: EntityPlan = {
      mapper,
      from,
      offset,
      processors,
      read: cols.read,
      index: this.planCount++,
      columns: cols.columns,
      unloaded: cols.unloaded,
      keyAt: cols.keyAt,
      joined: [],
      post: [],
      overrides: null,
      poly,
    };
    for (const prop of mapper.relationships.values()) {
      const node = options.get(prop);
      const strategy = node ? node.strategy : defaultStrategy(prop, path);
      const children = node?.children ?? NO_OPTIONS;
      strategyFor(strategy).plan({ planner: this, plan, prop, node, children, path: [...path, prop] });
    }
    return plan;
  }

  /** A new alias of the table `name` (for a joined load), numbered within this query. */
  nextAlias(name: string, table = this.session.registry.metadata.tables.get(name)!): TableAlias {
    return new TableAlias(table, `${name}_${++this.aliasCount}`);
  }

  /**
   * A new alias of a model's rows, for a joined load: of its table, or for a joined-table subclass
   * an inner join of aliases of each of its tables (`(person AS person_1 JOIN employee AS employee_2 ON ...)`).
   */
  aliasOf(mapper: Mapper): FromClause {
    if (!mapper.inheritance.joined) return this.nextAlias(mapper.table.name, mapper.table);
    const aliases = new Map<Table, TableAlias>();
    let from: FromClause | null = null;
    for (const m of mapper.inheritance.lineage()) {
      if (aliases.has(m.table)) continue;
      const alias = this.nextAlias(m.table.name, m.table);
      aliases.set(m.table, alias);
      if (from === null) from = alias;
      else {
        const on = replaceFrom(
          replaceFrom(m.inheritance.keyJoin(), m.inheritance.parent!.table, aliases.get(m.inheritance.parent!.table)!),
          m.table,
          alias,
        );
        from = new Join(from, alias, on, false);
      }
    }
    return from!;
  }

  /** Adds this planner's joins onto a FROM element. */
  joinOnto(from: FromClause): FromClause {
    let out = from;
    for (const j of this.joins) out = new Join(out, j.right, j.on, true);
    return out;
  }
}

/** A relationship's own `lazy=` eager strategy applies unless it would walk back or loop. */
function defaultStrategy(prop: RelationshipProperty, path: readonly RelationshipProperty[]): LoadStrategy {
  if (prop.lazy !== 'joined' && prop.lazy !== 'selectin') return prop.lazy;
  const last = path[path.length - 1];
  if (path.includes(prop) || (last && last.reverse === prop)) return 'select';
  return prop.lazy;
}
