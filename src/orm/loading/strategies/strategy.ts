/**
 * The contract of a loader strategy (SQLAlchemy's strategies.py: one small class per `lazy=` value),
 * so the planner asks the strategy what to add for a relationship instead of switching on its name,
 * and a new way of loading (write-only, an aggregate loaded like selectin) is one more class.
 */
import type { RelationshipProperty } from '../../mapping/relationships.js';
import type { LoadNode } from '../load-tree.js';
import type { LoadStrategy } from '../options.js';
import type { EntityPlan, Planner } from '../planner.js';

/** One relationship of an entity being planned: what a strategy needs to add its part. */
export interface PlanStep {
  readonly planner: Planner;
  /** The plan of the entity the relationship belongs to. */
  readonly plan: EntityPlan;
  readonly prop: RelationshipProperty;
  /** The loader option given for `prop`; undefined when its own `lazy=` applies. */
  readonly node: LoadNode | undefined;
  /** The options chained below `prop`. */
  readonly children: Map<RelationshipProperty, LoadNode>;
  /** The loader path down to and including `prop`. */
  readonly path: readonly RelationshipProperty[];
}

/** How one `lazy=` value or loader option loads a relationship. */
export interface LoaderStrategy {
  readonly name: LoadStrategy;
  /** The loader option that asks for it, as messages spell it (`joinedload`). */
  readonly optionName: string;
  /**
   * Whether the options chained below a relationship loaded before the query still load into its
   * members (with a selectin load: there is no row to join onto).
   */
  readonly loadsKeptMembers: boolean;
  /** Adds what this strategy needs for one relationship to the plan being built. */
  plan(step: PlanStep): void;
}

/**
 * For the strategies that load on access: an option overriding the relationship's own `lazy=` is
 * recorded on the loaded objects, where the lazy load reads it.
 */
export function overrideOnObjects(step: PlanStep, strategy: LoadStrategy): void {
  if (step.node) (step.plan.overrides ??= new Map()).set(step.prop, strategy);
}
