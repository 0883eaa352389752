/**
 * What `Column` and `ForeignKey` options Relata implements, checked at run time (see options.ts):
 * a JavaScript caller or a cast gets the same refusal `tsc` gives.
 */
import { anyValue, isBoolean, isString, mustBe, oneOf, type OptionTable } from './options.js';
import type { ColumnOptions, ForeignKeyOptions, IndexOptions } from './schema.js';
import type { ConstraintOptions, ForeignKeyConstraintOptions } from './constraints.js';

const REFERENTIAL_ACTIONS = ['CASCADE', 'SET NULL', 'RESTRICT', 'NO ACTION', 'SET DEFAULT'];

/** Column options: the known ones with their value checks, and SQLAlchemy's that Relata does not implement. */
export const columnOptionTable = {
  known: {
    primaryKey: isBoolean,
    nullable: isBoolean,
    unique: isBoolean,
    index: isBoolean,
    default: anyValue,
    name: isString,
    autoincrement: isBoolean,
    comment: isString,
    serverDefault: mustBe(
      "SQL text or a text() clause ('0', 'CURRENT_TIMESTAMP')",
      (v) =>
        (typeof v === 'string' && v !== '') ||
        (typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'text'),
    ),
    onUpdate: anyValue,
  },
  refused: {
    server_default: "spell it serverDefault: 'SQL'",
    onupdate: "spell it onUpdate (a foreign key's ON UPDATE is ForeignKey(target, { onupdate }))",
    serverOnupdate: 'set the attribute in the code that changes the row',
    server_onupdate: 'set the attribute in the code that changes the row',
    deferred: "deferred loading is a model column's option: db.Column(Text, { deferred: true }) in db.Model(...)",
    deferredGroup: "deferred loading is a model column's option: db.Column(Text, { deferredGroup: 'media' })",
    deferredRaiseload:
      "deferred loading is a model column's option: db.Column(Text, { deferred: true, deferredRaiseload: true })",
    deferred_group: "spell it deferredGroup, a model column's option: db.Column(Text, { deferredGroup: 'media' })",
    deferred_raiseload: "spell it deferredRaiseload, a model column's option",
    key: "the attribute name is the declaration's key; name: sets the database column's name",
    computed: 'generated columns are not supported; compute the value in your code',
    identity: 'integer primary keys are identity/autoincrement columns already (autoincrement: false turns it off)',
  },
} as const satisfies OptionTable<ColumnOptions>;

/** ForeignKey options. */
export const foreignKeyOptionTable = {
  known: {
    ondelete: oneOf(REFERENTIAL_ACTIONS),
    onupdate: oneOf(REFERENTIAL_ACTIONS),
    name: isString,
    useAlter: isBoolean,
  },
  refused: {
    deferrable: 'constraints are checked immediately; order your writes (the unit of work does) instead',
    initially: 'constraints are checked immediately; order your writes (the unit of work does) instead',
    use_alter: 'spell it useAlter: true',
    match: 'foreign keys use the default MATCH SIMPLE',
  },
} as const satisfies OptionTable<ForeignKeyOptions>;

/** Options of PrimaryKeyConstraint and CheckConstraint. */
export const nameOptionTable = {
  known: { name: isString },
  refused: {
    deferrable: 'constraints are checked immediately',
    initially: 'constraints are checked immediately',
  },
} as const satisfies OptionTable<ConstraintOptions>;

/** ForeignKeyConstraint options (camelCase, as the brief of table arguments reads). */
export const foreignKeyConstraintOptionTable = {
  known: {
    onDelete: oneOf(REFERENTIAL_ACTIONS),
    onUpdate: oneOf(REFERENTIAL_ACTIONS),
    name: isString,
    useAlter: isBoolean,
  },
  refused: {
    ...foreignKeyOptionTable.refused,
    ondelete: 'spell it onDelete in a ForeignKeyConstraint',
    onupdate: 'spell it onUpdate in a ForeignKeyConstraint',
  },
} as const satisfies OptionTable<ForeignKeyConstraintOptions>;

/** Index options. */
export const indexOptionTable = {
  known: { unique: isBoolean, where: isString },
  refused: {
    postgresql_where: "spell it where: 'condition'",
    sqlite_where: "spell it where: 'condition'",
    postgresql_using: 'indexes use the default method (btree)',
    mysql_length: 'prefix lengths are not supported; index a text() expression instead',
  },
} as const satisfies OptionTable<IndexOptions>;
