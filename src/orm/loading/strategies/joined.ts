/**
 * `lazy: 'joined'`, `joinedload()`: a LEFT OUTER JOIN to an alias of the target (through an alias of
 * the secondary table for many-to-many), whose columns are read from the same row.
 */
import { OrderByElement } from '../../../sql/expressions.js';
import { replaceFrom } from '../../../sql/visitors.js';
import type { LoaderStrategy, PlanStep } from './strategy.js';
import { and_, type ColumnElement } from '../../../sql/expressions.js';
import type { FromClause } from '../../../sql/selectable.js';
import type { Mapper } from '../../mapping/mapper.js';

/** A single-table subclass target joins only the rows of its identities. */
function onlyIdentities(on: ColumnElement<boolean>, target: Mapper, alias: FromClause): ColumnElement<boolean> {
  const only = target.inheritance.criterion(alias);
  return only ? and_(on, only) : on;
}

export class JoinedStrategy implements LoaderStrategy {
  readonly name = 'joined';
  readonly optionName = 'joinedload';
  readonly loadsKeptMembers = true;

  plan({ planner, plan, prop, children, path }: PlanStep): void {
    const alias = planner.aliasOf(prop.target);
    if (prop.secondary) {
      const sec = planner.nextAlias(prop.secondary.name, prop.secondary);
      planner.joins.push({ right: sec, on: prop.secondaryCondition(plan.from, sec) });
      planner.joins.push({ right: alias, on: onlyIdentities(prop.targetCondition(sec, alias), prop.target, alias) });
    } else {
      planner.joins.push({
        right: alias,
        on: onlyIdentities(prop.joinCondition(plan.from, alias), prop.target, alias),
      });
    }
    for (const o of prop.orderBy)
      planner.orderBy.push(new OrderByElement(replaceFrom(o.element, prop.target.table, alias), o.direction));
    plan.joined.push({ prop, plan: planner.plan(prop.target, alias, children, path) });
  }
}
