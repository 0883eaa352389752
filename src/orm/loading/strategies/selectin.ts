/**
 * `lazy: 'selectin'`, `selectinload()`: a second query after the result set, `IN` over the parents'
 * keys; the planner only records it, the load context runs it once the parents are known.
 */
import type { LoaderStrategy, PlanStep } from './strategy.js';

export class SelectinStrategy implements LoaderStrategy {
  readonly name = 'selectin';
  readonly optionName = 'selectinload';
  readonly loadsKeptMembers = true;

  plan({ plan, prop, children, path }: PlanStep): void {
    plan.post.push({ prop, children, path });
  }
}
