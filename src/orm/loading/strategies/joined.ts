/**
 * `lazy: 'joined'`, `joinedload()`: a LEFT OUTER JOIN to an alias of the target (through an alias of
 * the secondary table for many-to-many), whose columns are read from the same row.
 */
import { OrderByElement } from '../../../sql/expressions.js';
import { replaceFrom } from '../../../sql/visitors.js';
import type { LoaderStrategy, PlanStep } from './strategy.js';

export class JoinedStrategy implements LoaderStrategy {
  readonly name = 'joined';
  readonly optionName = 'joinedload';
  readonly loadsKeptMembers = true;

  plan({ planner, plan, prop, children, path }: PlanStep): void {
    const alias = planner.nextAlias(prop.target.table.name);
    if (prop.secondary) {
      const sec = planner.nextAlias(prop.secondary.name, prop.secondary);
      planner.joins.push({ right: sec, on: prop.secondaryCondition(plan.from, sec) });
      planner.joins.push({ right: alias, on: prop.targetCondition(sec, alias) });
    } else {
      planner.joins.push({ right: alias, on: prop.joinCondition(plan.from, alias) });
    }
    for (const o of prop.orderBy)
      planner.orderBy.push(new OrderByElement(replaceFrom(o.element, prop.target.table, alias), o.direction));
    plan.joined.push({ prop, plan: planner.plan(prop.target, alias, children, path) });
  }
}
