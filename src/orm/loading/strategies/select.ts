/** The lazy load (`lazy: 'select'`, `lazyload()`): nothing in the query; one SELECT on first `await`. */
import { overrideOnObjects, type LoaderStrategy, type PlanStep } from './strategy.js';

export class SelectStrategy implements LoaderStrategy {
  readonly name = 'select';
  readonly optionName = 'lazyload';
  readonly loadsKeptMembers = false;

  plan(step: PlanStep): void {
    overrideOnObjects(step, this.name);
  }
}
