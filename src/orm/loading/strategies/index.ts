/** The loader strategy for each strategy name: the one place a name becomes behaviour. */
import type { LoadStrategy } from '../options.js';
import { ContainsStrategy } from './contains.js';
import { JoinedStrategy } from './joined.js';
import { NoloadStrategy } from './noload.js';
import { RaiseStrategy } from './raise.js';
import { SelectStrategy } from './select.js';
import { SelectinStrategy } from './selectin.js';
import type { LoaderStrategy } from './strategy.js';
import { WriteOnlyStrategy } from './write-only.js';

const STRATEGIES: Readonly<Record<LoadStrategy, LoaderStrategy>> = {
  joined: new JoinedStrategy(),
  selectin: new SelectinStrategy(),
  select: new SelectStrategy(),
  raise: new RaiseStrategy(),
  noload: new NoloadStrategy(),
  contains: new ContainsStrategy(),
  writeOnly: new WriteOnlyStrategy(),
};

/** The strategy named `name`. */
export function strategyFor(name: LoadStrategy): LoaderStrategy {
  return STRATEGIES[name];
}
