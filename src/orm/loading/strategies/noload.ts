/** `lazy: 'noload'`, `noload()`: nothing in the query; the relationship reads as empty without SQL. */
import { overrideOnObjects, type LoaderStrategy, type PlanStep } from './strategy.js';

export class NoloadStrategy implements LoaderStrategy {
  readonly name = 'noload';
  readonly optionName = 'noload';
  readonly loadsKeptMembers = false;

  plan(step: PlanStep): void {
    overrideOnObjects(step, this.name);
  }
}
