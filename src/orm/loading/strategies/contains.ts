/**
 * `containsEager()`: the query already joins the relationship's table (or an alias of it), so its
 * columns are read from the same row, as a joined load would, without adding a join.
 */
import type { LoaderStrategy, PlanStep } from './strategy.js';

export class ContainsStrategy implements LoaderStrategy {
  readonly name = 'contains';
  readonly optionName = 'containsEager';
  readonly loadsKeptMembers = false;

  plan({ planner, plan, prop, node, children, path }: PlanStep): void {
    plan.joined.push({
      prop,
      plan: planner.plan(prop.target, node?.alias ?? prop.target.inheritance.selectable, children, path),
    });
  }
}
