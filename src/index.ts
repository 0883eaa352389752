/**
 * Relata: a TypeScript ORM with SQLAlchemy-grade relationships.
 *
 * Every export below is documented with an example. Examples that use `db`, `session`, `User`,
 * `Post`, `Tag`, `Profile`, `Account`, `user`, `post` or `tag` without declaring them use the blog
 * models of `.ci/api-docs/blog.ts`, declared like the ones here.
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 *
 * const db = new Database();
 * class User extends db.Model('User', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   username: db.Column(db.String(80), { unique: true }),
 *   posts: db.relationship<Post>('Post', { backPopulates: 'author' }), // a list of Post
 * }) {}
 * class Post extends db.Model('Post', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   userId: db.Column(db.Integer, db.ForeignKey('user.id')),
 *   author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }), // User | null
 * }) {}
 * ```
 *
 * @packageDocumentation
 */
export {
  Database,
  Column,
  ForeignKey,
  relationship,
  select,
  selectColumns,
  type DatabaseOptions,
} from './orm/mapping/database.js';
export { Session, ScalarResult, type SessionOptions, type NPlusOneMode } from './orm/session/session.js';
export { NestedTransaction } from './orm/session/nested.js';
export { isRetryable, type TransactionOptions } from './orm/session/transaction.js';
export { expressScope, fastifyScope, honoScope, type ScopeErrorHandler } from './orm/session/middleware.js';
export {
  insert,
  update,
  delete_,
  InsertStatement,
  UpdateStatement,
  DeleteStatement,
  type ValuesOf,
} from './orm/query/statements.js';
export { Query, type Pagination, type AliasedModel, type JoinTarget } from './orm/query/query.js';
export {
  joinedload,
  selectinload,
  containsEager,
  lazyload,
  raiseload,
  noload,
  LoaderOption,
  type PathShape,
  type Loaded,
  type Reshape,
} from './orm/loading/options.js';
export { ColumnAttribute, RelationshipAttribute, PolymorphicAttribute } from './orm/mapping/attributes.js';
export {
  polymorphicRelationship,
  PolymorphicDecl,
  type PolymorphicOptions,
  type PolymorphicTargets,
} from './orm/mapping/polymorphic.js';
// Issue 14, column loading and computed attributes.
export { defer, undefer, undeferGroup, loadOnly, type OnlyColumns } from './orm/loading/column-options.js';
export { columnProperty, hybrid, composite } from './orm/mapping/declare-computed.js';
export { ColumnProperty } from './orm/mapping/column-property.js';
export { HybridAttribute, type HybridDefinition } from './orm/mapping/hybrid.js';
export { CompositeAttribute, type CompositeValues } from './orm/mapping/composite.js';
export type { Deferred, ColumnLoadingOptions, ReadOnlyAttribute } from './orm/mapping/declarative.js';
export type { ModelColumnOptions } from './orm/mapping/declare-columns.js';
export { InstrumentedList } from './orm/session/collections.js';
export { InstrumentedSet } from './orm/session/collection-views.js';
export { InstrumentedMap } from './orm/session/keyed-collection.js';
export { keyedBy, KeyedBy, DuplicateKeyError } from './orm/mapping/collection-class.js';
export type { KeyAttribute, KeyFunction } from './orm/mapping/collection-class.js';
// Collection kinds beyond the list (issue 14: large and non-list collections).
export { WriteOnlyCollection } from './orm/session/write-only.js';
export type { CollectionKind, KeyTypeOf } from './orm/mapping/declarative.js';
export {
  associationProxy,
  AssociationProxyAttribute,
  AssociationProxyDecl,
  type AssociationProxyOptions,
  type ProxiedValue,
} from './orm/mapping/association-proxy.js';
export { AssociationList } from './orm/mapping/association-list.js';
export {
  withCount,
  withExists,
  withSum,
  withMin,
  withMax,
  withAvg,
  type AggregateOptions,
} from './orm/loading/aggregate-options.js';
export { tableNameFor, type ModelOptions } from './orm/mapping/model.js';
export type {
  ModelClass,
  ModelInstance,
  ModelInit,
  Related,
  Unloaded,
  RelationshipOptions,
  LazyStrategy,
  BackrefOptions,
  ElementOf,
  ShapeOf,
  ListTypeArgumentUseTheModel,
  HasColumns,
  ColumnFilter,
  AttributeDecl,
  AttributeValues,
} from './orm/mapping/declarative.js';
export {
  MappingError,
  NoForeignKeysError,
  AmbiguousForeignKeysError,
  NotLoadedError,
  NPlusOneError,
  FlushError,
  StaleDataError,
  PendingRollbackError,
  NoResultFoundError,
  MultipleResultsFoundError,
  InvalidRequestError,
} from './orm/errors.js';
export {
  RelataError,
  type ColumnAtFault,
  ArgumentError,
  CompileError,
  DatabaseError,
  CommitOutcomeUnknownError,
  DataError,
  IntegrityError,
  OperationalError,
  ProgrammingError,
} from './sql/errors.js';
export { and_, or_, not_, func, text, ColumnElement, OrderByElement } from './sql/expressions.js';
export { concat } from './sql/concat.js';
export { Select } from './sql/selectable.js';
// Typed column queries and window functions (issue 15): rows typed from the selected columns.
export type { RowOf, TupleOf } from './sql/row-types.js';
export { RowResult } from './orm/query/row-result.js';
export type { QueryRow } from './orm/query/tuple-query.js';
export type { WindowSpec } from './sql/window.js';
// CTEs, set operations, LATERAL, fromStatement (issue 15, part B). See docs/ctes.md.
export { Cte, CteColumn, type CteOptions, type CteColumns, type CteRow } from './sql/cte.js';
export { CompoundSelect, type SetOperator, type CompoundMember } from './sql/compound.js';
export { true_ } from './sql/lateral.js';
export type { FromStatement } from './orm/query/from-statement.js';
export {
  SqlType,
  Integer,
  BigInteger,
  Float,
  Text,
  Boolean,
  DateTime,
  DateOnly as Date,
  Json as JSON,
  String,
  Numeric,
  JSONOf,
} from './sql/types.js';
export { Table, MetaData, type ColumnOptions, type ForeignKeyOptions } from './sql/schema.js';
export type { TableDDLOrder } from './sql/ddl-order.js';
export { Engine, Connection, type StatementEvent, type EngineOptions } from './engine/engine.js';
export { registerDialect } from './engine/url.js';
// Streaming (issue 15): query.stream(), engine.stream(), connection.stream().
export { ConnectionBusyError, StreamClosedError, type RowStreamOptions } from './engine/cursor.js';
export type { QueryStreamOptions } from './orm/query/stream.js';
export type {
  Dialect,
  Driver,
  DriverConnection,
  CursorOptions,
  RowCursor,
  QueryResult,
  BeginOptions,
  IsolationLevel,
} from './dialects/dialect.js';
export { SqliteWasmDialect } from './dialects/sqlite-wasm/dialect.js';
export type { Sqlite3Module } from './dialects/sqlite-wasm/driver.js';

// Serialization (issue 12 item 2): JSON of loaded graphs, typed.
export { serialize, type SerializeOptions } from './orm/serialization/serialize.js';
export type {
  Serialized,
  SerializedModel,
  SerializedPick,
  SerializedOmit,
  SerializableKey,
  JsonColumn,
} from './orm/serialization/serialized.js';

// Drivers are optional peer dependencies, loaded on first use (issue 12 item 1).
export { DriverNotInstalledError, DriverLoadError } from './dialects/load-driver.js';

// Introspection (issue 13 item 2): a live database's tables read into schema objects.
export {
  Inspector,
  inspect,
  reflectMetaData,
  IntrospectionError,
  UnknownSqlType,
  type InspectOptions,
  type ReflectOptions,
  type ReflectedMetaData,
  type ReflectedTable,
  type ReflectedTableInfo,
  type ReflectedColumn,
  type ReflectedPrimaryKey,
  type ReflectedForeignKey,
  type ReflectedIndex,
  type ReflectedUniqueConstraint,
  type ReflectedCheckConstraint,
} from './schema/introspect/index.js';

// Column types (issue 13 item 1): Enum, Uuid, PostgreSQL arrays, bytes, and user types.
export {
  Enum,
  EnumType,
  Uuid,
  UuidType,
  uuid4,
  LargeBinary,
  LargeBinaryType,
  ArrayOf,
  ArrayType,
} from './sql/types.js';
export { TypeDecorator, type TypeDecoratorOptions } from './sql/type-decorator.js';

// Table-level constraints (issue 13 item 1): composite keys, composite foreign keys, CHECK.
export {
  PrimaryKeyConstraint,
  ForeignKeyConstraint,
  CheckConstraint,
  Index,
  type TableColumn,
  type TableOptions,
} from './orm/mapping/database.js';
export type { TableConstraint, ConstraintOptions, ForeignKeyConstraintOptions } from './sql/constraints.js';

// Schema comparison and drift (issue 13 items 3 and 5): the differ, its changes, checkSchema's lines.
export { compareSchemas, type CompareOptions } from './schema/compare/compare.js';
export { describeSchemaChange } from './schema/compare/describe.js';
export type {
  SchemaChange,
  SchemaChangeKind,
  ColumnPropertyChange,
  UniqueConstraintInfo,
} from './schema/compare/changes.js';
export { UniqueConstraint } from './orm/mapping/database.js';
export type { CheckSchemaOptions, SchemaDrift } from './schema/compare/drift.js';

// relata pull (issue 13 item 6): a models module written from a live database.
export { renderModelsModule, type RenderModelsOptions } from './migrate/pull.js';

// Migration operations (issue 13 item 3): the DDL a migration's up/down run, on every dialect.
export { createOperations, MigrationOperations, type OperationsOptions } from './migrate/migration-operations.js';
export { MigrationOperationError } from './migrate/op-tables.js';
export type {
  Operations,
  AlterColumnChanges,
  ExistingColumn,
  CreateIndexOptions,
  CreateForeignKeyOptions,
  ConstraintKind,
  MigrationRows,
} from './migrate/operations.js';

// Migrations: files, the runner, the CLI's config (issue 13 items 3-render, 4, 6).
export { defineMigration, type Migration, type MigrationStep } from './migrate/migration.js';
export {
  Migrator,
  type MigratorOptions,
  type MigrationProgress,
  type MigrationStatus,
  type MigrationStatusEntry,
  type MigrationResult,
  type MigrationSql,
} from './migrate/runner.js';
export { MigrationError, MigrationFailedError, MigrationChainError } from './migrate/errors.js';
export type { PostgresLockMode } from './migrate/lock.js';
export {
  renderMigration,
  renameCandidates,
  migrationId,
  type RenderMigrationOptions,
  type RenameCandidate,
} from './migrate/render.js';
export { defineConfig, type RelataConfig } from './cli/config.js';

// A Session inside a migration: op.session(db) (issue 13 item 3, data migrations).
export { MigrationSessionError, type MigrationSessionOptions } from './migrate/op-session.js';
// Session operations (issue 14): merge, expire, populateExisting, makeTransient.
export type { MergeOptions, AttributeName } from './orm/session/session.js';
export { makeTransient, makeTransientToDetached } from './orm/session/make-transient.js';
export { ExpiredAttributeError } from './orm/errors.js';
export type { QueryExecutionOptions } from './orm/query/execution-options.js';

// Validators and events (issue 14: behaviour hooks): db.validates, db.on, session.on. See docs/events.md.
export type { MapperEventContext, MapperEventName, SyncResult } from './orm/mapping/events.js';
export type {
  ValidatedKey,
  ValidatedValue,
  ValidationOp,
  Validator,
  ValidatorOptions,
} from './orm/mapping/validators.js';
export type { FlushEvent, SessionEvent, SessionEventMap, SessionEventName } from './orm/session/session-events.js';

// Upsert, RETURNING and row locks (issue 15, part C). See docs/writing.md.
export {
  excluded,
  inserted,
  type ColumnOf,
  type ConflictTarget,
  type UpsertSet,
  type DoNothingOptions,
  type DoUpdateOptions,
} from './orm/query/upsert.js';
export { ReturningStatement, type ReturnedRow } from './orm/query/returning.js';
export type { UpsertOptions } from './orm/query/upsert-objects.js';
export type { BulkStatement } from './orm/query/statements.js';
export type { ForUpdateOptions, LockTarget } from './sql/locking.js';

// Mapped inheritance: single-table and joined-table, polymorphic loading (issue 14).
export { withPolymorphic, type PolymorphicEntity } from './orm/query/polymorphic.js';
export type {
  PolymorphicBrand,
  PolymorphicBaseOptions,
  SubclassOptions,
  SubclassModelClass,
  SubclassInstance,
  PolymorphicUnion,
  DiscriminatorOf,
  ColumnKeys,
} from './orm/mapping/inheritance-types.js';
