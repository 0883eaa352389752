/**
 * `lazy: 'writeOnly'`: nothing in the query, and nothing on access either. The attribute is a
 * WriteOnlyCollection (session/write-only.ts) that queries the children when asked; loader options
 * naming such a relationship are refused before planning (checkOptionPath).
 */
import type { LoaderStrategy } from './strategy.js';

export class WriteOnlyStrategy implements LoaderStrategy {
  readonly name = 'writeOnly';
  readonly optionName = 'writeOnly';
  readonly loadsKeptMembers = false;

  plan(): void {}
}
