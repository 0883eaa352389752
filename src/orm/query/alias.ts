/**
 * Aliased models (`db.aliased(User)`): a model's column attributes re-pointed at another name for its
 * table, so a query can join the same table twice. Joins (joins.ts) tell an alias from a model here.
 */
import { ArgumentError } from '../../sql/errors.js';
import { TableAlias } from '../../sql/selectable.js';
import { ColumnAttribute } from '../mapping/attributes.js';
import type { Mapper } from '../mapping/mapper.js';

/**
 * A model under another name, to join its table twice: what `db.aliased(Model)` returns, with the
 * model's column attributes on the alias.
 *
 * @example
 * ```ts
 * const Other = db.aliased(User, 'other');
 * const shared = await User.query.join(Other, User.email.eq(Other.email)).filter(User.id.ne(Other.id)).all();
 * ```
 */
export interface AliasedModel {
  /** @internal The aliased table. */
  readonly __alias__: TableAlias;
  /** @internal The model's mapper. */
  readonly __mapper__: Mapper;
}

export function isAliased(x: unknown): x is AliasedModel {
  return typeof x === 'object' && x !== null && '__alias__' in x;
}

/** Column attributes of a model re-pointed at an alias of its table. */
export function makeAlias(mapper: Mapper, name: string): AliasedModel & Record<string, ColumnAttribute> {
  if (mapper.inheritance.joined) {
    throw new ArgumentError(
      `aliased(${mapper.name}): ${mapper.name} is a joined-table subclass (its rows span ${mapper.inheritance.tables.map((t) => t.name).join(', ')}); ` +
        `alias its base, or join the subclass itself`,
    );
  }
  const alias = new TableAlias(mapper.table, name);
  const out: Record<string, unknown> = { __alias__: alias, __mapper__: mapper };
  for (const mc of mapper.columns) out[mc.key] = new ColumnAttribute(mc.column, alias, mapper, mc.key);
  return out as AliasedModel & Record<string, ColumnAttribute>;
}
