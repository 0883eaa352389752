/** `lazy: 'raise'`, `raiseload()`: nothing in the query; a lazy load throws NotLoadedError. */
import { overrideOnObjects, type LoaderStrategy, type PlanStep } from './strategy.js';

export class RaiseStrategy implements LoaderStrategy {
  readonly name = 'raise';
  readonly optionName = 'raiseload';
  readonly loadsKeptMembers = false;

  plan(step: PlanStep): void {
    overrideOnObjects(step, this.name);
  }
}
