/**
 * What `db.relationship(...)` and `db.Model(name, decls, options)` options Relata implements, and
 * SQLAlchemy's that it does not, with what to use instead. Checked when the model is declared, so a
 * JavaScript caller or a cast gets the refusal `tsc` gives (the tables are typed against the option
 * interfaces: adding an option to one and not the other fails `tsc`).
 */
import { Table } from '../../sql/schema.js';
import { isTableConstraint } from '../../sql/constraints.js';
import {
  checkOptions,
  describeValue,
  isBoolean,
  isNames,
  isString,
  mustBe,
  type OptionCheck,
  type OptionTable,
} from '../../sql/options.js';
import type { BackrefOptions, LazyStrategy, RelationshipOptions } from './declarative.js';
import { MappingError } from '../errors.js';
import type { ModelOptions } from './model.js';
import { CASCADE_KNOWN } from './cascade.js';

const LAZY: readonly LazyStrategy[] = ['select', 'joined', 'selectin', 'raise', 'noload', 'writeOnly'];
const LAZY_REFUSED: Readonly<Record<string, string>> = {
  dynamic:
    "SQLAlchemy 2 calls dynamic collections legacy; use lazy: 'writeOnly', whose select() is the query (user.posts.select().filter(...)) and add()/remove() change it without loading it",
  write_only: "spell it lazy: 'writeOnly'",
  immediate: "use lazy: 'selectin' (loaded with the parents, in one more query)",
  subquery: "use lazy: 'selectin' (SQLAlchemy's recommended replacement for subquery loading)",
};

const checkLazy: OptionCheck = (v) => {
  if (typeof v === 'boolean' || LAZY.includes(v as LazyStrategy)) return null;
  const instead = typeof v === 'string' && Object.hasOwn(LAZY_REFUSED, v) ? LAZY_REFUSED[v] : undefined;
  if (instead) return `'${v}' is not supported: ${instead}`;
  return `must be one of ${LAZY.map((s) => `'${s}'`).join(', ')} or a boolean, got ${describeValue(v)}`;
};

const checkCascade: OptionCheck = (v) => {
  if (typeof v !== 'string')
    return `must be a comma-separated string such as 'all, delete-orphan', got ${describeValue(v)}`;
  const words = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = words.find((w) => !CASCADE_KNOWN.has(w));
  return bad === undefined ? null : `has an unknown cascade '${bad}' (known: ${[...CASCADE_KNOWN].join(', ')})`;
};

const checkOrderBy = mustBe(
  "attribute names ('name', '-name') or a function returning expressions",
  (v) =>
    typeof v === 'function' || typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')),
);

const RELATIONSHIP_REFUSED: Readonly<Record<string, string>> = {
  post_update: 'spell it postUpdate: true',
  collectionClass: 'collections are always arrays; build a Map or Set from the loaded array',
  collection_class: 'collections are always arrays; build a Map or Set from the loaded array',
  secondaryjoin: 'spell it secondaryJoin: () => condition',
  innerjoin: 'joined loads are always LEFT OUTER JOINs; use query.join(User.posts) for an inner join',
  joinDepth:
    'self-referential eager loads are one level per option; chain options (joinedload(Node.children).joinedload(Node.children))',
  join_depth:
    'self-referential eager loads are one level per option; chain options (joinedload(Node.children).joinedload(Node.children))',
  singleParent: "use cascade: 'all, delete-orphan', which already gives each child one parent",
  single_parent: "use cascade: 'all, delete-orphan', which already gives each child one parent",
  passiveUpdates: 'primary keys are not updated in place; Relata never cascades key changes',
  passive_updates: 'primary keys are not updated in place; Relata never cascades key changes',
  overlaps: 'relationships over the same columns must be linked with backPopulates, or one made viewonly: true',
  syncBackref: 'backrefs are always kept in sync; declare only one side, or use viewonly: true',
  sync_backref: 'backrefs are always kept in sync; declare only one side, or use viewonly: true',
  enableTypechecks: 'collections always check the model of what they hold',
  enable_typechecks: 'collections always check the model of what they hold',
  queryClass: "Relata has no dynamic collections: use lazy: 'writeOnly', whose select() is a Query of the children",
  query_class: "Relata has no dynamic collections: use lazy: 'writeOnly', whose select() is a Query of the children",
  distinctTargetKey: 'not needed: selectin loads issue one IN query per batch',
  omitJoin: 'not needed: selectin loads already query the target table alone',
  info: 'keep your own metadata next to the model',
  doc: 'document the relationship with a comment',
};

/** Options of a `backref: { name, … }` object. */
export const backrefOptionTable = {
  known: { name: isString, lazy: checkLazy, uselist: isBoolean, cascade: checkCascade, orderBy: checkOrderBy },
  refused: RELATIONSHIP_REFUSED,
} as const satisfies OptionTable<BackrefOptions>;

const checkBackref: OptionCheck = (v) => {
  if (typeof v === 'string' && v !== '') return null;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return `must be the reverse attribute's name or { name, … }, got ${describeValue(v)}`;
  if (typeof (v as { name?: unknown }).name !== 'string') return "needs a name: { name: 'posts', … }";
  return null; // its own options are checked with backrefOptionTable, naming the backref
};

/** Options of `db.relationship(target, options)`. */
export const relationshipOptionTable = {
  known: {
    backref: checkBackref,
    backPopulates: isString,
    lazy: checkLazy,
    uselist: isBoolean,
    secondary: mustBe(
      "a db.Table(...) or a table's name",
      (v) => v instanceof Table || (typeof v === 'string' && v !== ''),
    ),
    cascade: checkCascade,
    passiveDeletes: isBoolean,
    orderBy: checkOrderBy,
    foreignKeys: isNames,
    remoteSide: isNames,
    primaryJoin: mustBe('a function returning the join condition (() => and_(...))', (v) => typeof v === 'function'),
    viewonly: isBoolean,
    secondaryJoin: mustBe(
      'a function returning the association-to-target condition (() => t.c.b_id.eq(B.id))',
      (v) => typeof v === 'function',
    ),
    postUpdate: isBoolean,
  },
  refused: RELATIONSHIP_REFUSED,
} as const satisfies OptionTable<RelationshipOptions>;

/** Options of `db.Model(name, declarations, options)`. */
export const modelOptionTable = {
  known: {
    tableName: isString,
    versionId: isString,
    comment: isString,
    schema: isString,
    tableArgs: mustBe('a list of constraints', (v) => Array.isArray(v) && v.every(isTableConstraint)),
    inherits: mustBe('a model class', (v) => typeof v === 'function'),
    polymorphicOn: isString,
    polymorphicIdentity: isString,
  },
  refused: {
    abstract: 'share columns by spreading a function that returns them into each declaration',
  },
} as const satisfies OptionTable<ModelOptions>;

/** Checks a relationship's options and its backref's, naming the relationship (`relationship User.posts`). */
export function checkRelationshipOptions(options: object, where: string): void {
  checkOptions(options, relationshipOptionTable, where, MappingError);
  const backref = (options as RelationshipOptions).backref;
  if (typeof backref === 'object' && backref !== null) {
    checkOptions(backref, backrefOptionTable, `${where} backref '${backref.name}'`, MappingError);
  }
}
