/**
 * `const db = new Database()`: the Flask-SQLAlchemy-shaped entry point. It owns the engine, the model
 * registry and a default session, and carries the declaration helpers (`db.Model`, `db.Column`,
 * `db.relationship`, types, loader options) so a model file reads like the SQLAlchemy original.
 */
import { Engine, type EngineOptions, type StatementEvent, type StatementListener } from '../../engine/engine.js';
import { reflectMetaData, type ReflectOptions, type ReflectedMetaData } from '../../schema/introspect/index.js';
import { checkSchema, type CheckSchemaOptions, type SchemaDrift } from '../../schema/compare/drift.js';
import type { TableConstraint } from '../../sql/constraints.js';
import { and_, func, not_, or_, text } from '../../sql/expressions.js';
import type { Table as SqlTable, MetaData as SqlMetaData } from '../../sql/schema.js';
import * as types from '../../sql/types.js';
import type { SqlType } from '../../sql/types.js';
import { TypeDecorator, type TypeDecoratorOptions } from '../../sql/type-decorator.js';
import type { AnyModelClass, Declarations, ModelClass } from './declarative.js';
import { listenMapper, type MapperEventContext, type MapperEventName, type SyncResult } from './events.js';
import {
  addValidator,
  type ValidatedKey,
  type ValidatedValue,
  type Validator,
  type ValidatorOptions,
} from './validators.js';
import {
  databaseListeners,
  listenSession,
  type SessionEventMap,
  type SessionEventName,
} from '../session/session-events.js';
import { createModel, type ModelOptions } from './model.js';
import type {
  ColumnKeys,
  PolymorphicBaseOptions,
  PolymorphicBrand,
  SubclassModelClass,
  SubclassOptions,
} from './inheritance-types.js';
import { containsEager, joinedload, lazyload, noload, raiseload, selectinload } from '../loading/options.js';
import { defer, loadOnly, undefer, undeferGroup } from '../loading/column-options.js';
import { columnProperty, composite, hybrid } from './declare-computed.js';
import { Query } from '../query/query.js';
import { makeAlias, type AliasedModel } from '../query/alias.js';
import { Registry } from './registry.js';
import { delete_, insert, update } from '../query/statements.js';
import { Session, type NPlusOneMode, type SessionOptions } from '../session/session.js';
import { createScopeStorage, type ScopeStorage } from '../session/scope.js';
import { runTransaction, type TransactionOptions } from '../session/transaction.js';
import { Column, ForeignKey, relationship } from './declare-columns.js';
import { associationProxy } from './association-proxy.js';
import { withAvg, withCount, withExists, withMax, withMin, withSum } from '../loading/aggregate-options.js';
import { polymorphicRelationship } from './polymorphic.js';
import {
  CheckConstraint,
  ForeignKeyConstraint,
  Index,
  PrimaryKeyConstraint,
  UniqueConstraint,
} from './declare-constraints.js';
import { buildTable, type TableColumn, type TableOptions } from './declare-table.js';
import { createTables, dropTables } from './table-ddl.js';

// The declaration factories live in their own modules; they are exported from here too, as before.
export { Column, ForeignKey, relationship } from './declare-columns.js';
export {
  CheckConstraint,
  ForeignKeyConstraint,
  Index,
  PrimaryKeyConstraint,
  UniqueConstraint,
} from './declare-constraints.js';
export type { TableColumn, TableOptions } from './declare-table.js';
export { select, selectColumns } from '../query/select-columns.js';

/**
 * Options of `new Database(url, options)`: the engine's (echo, pool, dialect options), the sessions'
 * autoflush and warning hook, and how N+1 lazy loads are reported.
 *
 * @example
 * ```ts
 * import { Database, type DatabaseOptions } from 'relata';
 *
 * const options: DatabaseOptions = { echo: true, nPlusOne: 'raise' };
 * const db = new Database('sqlite://', options);
 * ```
 */
export interface DatabaseOptions extends EngineOptions, Pick<SessionOptions, 'autoflush' | 'warn'> {
  /** Where warnings go (default console.warn): the sessions' N+1 reports, and createAll()'s tables left with another shape. */
  readonly warn?: (message: string) => void;
  /** N+1 lazy-load reports: 'warn' (default outside production), 'raise' (strict), or 'off'. */
  readonly nPlusOne?: NPlusOneMode;
}

/**
 * A database and its models: the engine (connections, statement events), the model registry, and
 * the sessions, one per request scope (see `session` and `scope()`).
 *
 * @example
 * ```ts
 * import { Database } from 'relata';
 *
 * const db = new Database('sqlite:///blog.db');
 * class User extends db.Model('User', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   username: db.Column(db.String(80), { unique: true }),
 * }) {}
 * await db.createAll();
 * await db.transaction(async (session) => session.add(new User({ username: 'alice' })));
 * ```
 * ```
 */
export class Database {
  /** The engine: connections, the dialect, statement events and counters. */
  readonly engine: Engine;
  /** @internal The model registry (mappers and tables); models are reached through their classes. */
  readonly registry: Registry;
  private defaultSession: Session | null = null;
  private readonly sessionOptions: SessionOptions;
  /** Where createAll()'s warnings go: the `warn` option, else console.warn. */
  private readonly warn: (message: string) => void;
  private readonly scopes: ScopeStorage<Session> = createScopeStorage<Session>();

  // Types and helpers, so model files read like Flask-SQLAlchemy: db.Column(db.Integer, ...).
  /** The {@link Integer} type. */
  readonly Integer = types.Integer;
  /** The {@link BigInteger} type. */
  readonly BigInteger = types.BigInteger;
  /** The {@link Float} type. */
  readonly Float = types.Float;
  /** The {@link Text} type. */
  readonly Text = types.Text;
  /** The {@link Boolean} type. */
  readonly Boolean = types.Boolean;
  /** The {@link DateTime} type. */
  readonly DateTime = types.DateTime;
  /** The {@link Date} type (a calendar date). */
  readonly Date = types.DateOnly;
  /** The {@link JSON} type. */
  readonly JSON = types.Json;
  /** {@link String}(length): the VARCHAR type. */
  readonly String = types.String;
  /** {@link Numeric}(precision, scale): the exact decimal type. */
  readonly Numeric = types.Numeric;
  /** {@link JSONOf}: a JSON column with a TypeScript type. */
  readonly JSONOf = types.JSONOf;
  /** The {@link Enum} type constructor: `db.Enum(['draft', 'published'])`. */
  readonly Enum = types.Enum;
  /** The {@link Uuid} type (a string; native uuid on PostgreSQL, CHAR(36) elsewhere). */
  readonly Uuid = types.Uuid;
  /** {@link uuid4}: a random UUID, for `default: db.uuid4`. */
  readonly uuid4 = types.uuid4;
  /** The {@link LargeBinary} type (Uint8Array). */
  readonly LargeBinary = types.LargeBinary;
  /** {@link ArrayOf}(item): a PostgreSQL array column. */
  readonly ArrayOf = types.ArrayOf;
  /** `db.TypeDecorator(db.Integer, { toDriver, fromDriver })`: a user type stored as a built-in one. */
  readonly TypeDecorator = <T, I>(impl: SqlType<I>, options: TypeDecoratorOptions<T, I>): TypeDecorator<T, I> =>
    new TypeDecorator(impl, options);
  /** {@link Column}, to declare a model column. */
  readonly Column = Column;
  /** {@link PrimaryKeyConstraint}, a table-level (composite) primary key. */
  readonly PrimaryKeyConstraint = PrimaryKeyConstraint;
  /** {@link ForeignKeyConstraint}, a table-level (composite) foreign key. */
  readonly ForeignKeyConstraint = ForeignKeyConstraint;
  /** {@link CheckConstraint}, a CHECK over the table's rows. */
  readonly CheckConstraint = CheckConstraint;
  /** {@link UniqueConstraint}, a UNIQUE over several columns. */
  readonly UniqueConstraint = UniqueConstraint;
  /** {@link Index}: composite, expression and partial indexes. */
  readonly Index = Index;
  /** {@link ForeignKey}, to reference another table's column. */
  readonly ForeignKey = ForeignKey;
  /** {@link relationship}, to declare a relationship. */
  readonly relationship = relationship;
  /** {@link polymorphicRelationship}, for a child of one of several models (comments on posts and photos). */
  readonly polymorphicRelationship = polymorphicRelationship;
  /** The {@link joinedload} loader option. */
  readonly joinedload = joinedload;
  /** The {@link selectinload} loader option. */
  readonly selectinload = selectinload;
  /** The {@link lazyload} loader option. */
  readonly lazyload = lazyload;
  /** The {@link raiseload} loader option. */
  readonly raiseload = raiseload;
  /** The {@link noload} loader option. */
  readonly noload = noload;
  /** The {@link containsEager} loader option. */
  readonly containsEager = containsEager;
  /** The {@link undefer} column loader option. */
  readonly undefer = undefer;
  /** The {@link defer} column loader option. */
  readonly defer = defer;
  /** The {@link loadOnly} column loader option. */
  readonly loadOnly = loadOnly;
  /** The {@link undeferGroup} column loader option. */
  readonly undeferGroup = undeferGroup;
  /** {@link columnProperty}: an attribute the database computes with the row. */
  readonly columnProperty = columnProperty;
  /** {@link hybrid}: an attribute computed on the instance and in SQL. */
  readonly hybrid = hybrid;
  /** {@link composite}: a value object over several columns. */
  readonly composite = composite;
  /** {@link associationProxy}: a collection's members seen as one of their attributes. */
  readonly associationProxy = associationProxy;
  /** The {@link withCount} aggregate loader option. */
  readonly withCount = withCount;
  /** The {@link withSum} aggregate loader option. */
  readonly withSum = withSum;
  /** The {@link withMin} aggregate loader option. */
  readonly withMin = withMin;
  /** The {@link withMax} aggregate loader option. */
  readonly withMax = withMax;
  /** The {@link withAvg} aggregate loader option. */
  readonly withAvg = withAvg;
  /** The {@link withExists} aggregate loader option. */
  readonly withExists = withExists;
  /** {@link and_}: SQL AND. */
  readonly and_ = and_;
  /** {@link or_}: SQL OR. */
  readonly or_ = or_;
  /** {@link not_}: SQL NOT. */
  readonly not_ = not_;
  /** {@link func}: SQL functions (`db.func.count(Post.id)`). */
  readonly func = func;
  /** {@link text}: a raw SQL fragment with bound parameters. */
  readonly text = text;

  /** `new Database()` is an in-memory SQLite database; pass a URL for a file or a server. */
  constructor(url: string = 'sqlite://', options: DatabaseOptions = {}) {
    this.engine = new Engine(url, options);
    this.registry = new Registry(() => this.session);
    const production = typeof process !== 'undefined' && process.env?.NODE_ENV === 'production';
    this.sessionOptions = {
      autoflush: options.autoflush,
      warn: options.warn,
      nPlusOne: options.nPlusOne ?? (production ? 'off' : 'warn'),
    };
    this.warn = options.warn ?? ((m) => console.warn(m));
  }

  /**
   * Declares a model: `class User extends db.Model('User', { id: db.Column(db.Integer, { primaryKey: true }) }) {}`.
   * The table is named after the model (`BlogPost` → `blog_post`) unless `tableName` is given.
   */
  Model<D extends Declarations, B extends AnyModelClass, const Id extends string = never>(
    name: string,
    declarations: D,
    options: SubclassOptions<B, Id>,
  ): SubclassModelClass<B, D, Id>;
  Model<D extends Declarations, const On extends ColumnKeys<D> = never, const Id extends string = never>(
    name: string,
    declarations: D,
    options?: PolymorphicBaseOptions<On, Id>,
  ): [On] extends [never] ? ModelClass<D> : ModelClass<D> & PolymorphicBrand<On, Id>;
  Model(name: string, declarations: Declarations, options?: ModelOptions): unknown {
    return createModel(this.registry, name, declarations, options);
  }

  /**
   * An association (or any plain) table, read as SQLAlchemy's `Table(name, metadata, *args)`: its
   * columns, then any table-level constraints (`PrimaryKeyConstraint`, `ForeignKeyConstraint`,
   * `CheckConstraint`), then optionally an options object. A table with no primary key that a
   * relationship uses as its `secondary` gets one over its foreign key columns (Galera and many
   * managed MySQL services refuse tables without one); `{ associationPrimaryKey: false }` opts out.
   */
  Table(name: string, ...args: (TableColumn | TableConstraint | TableOptions)[]): SqlTable {
    return this.registry.metadata.add(buildTable(name, args));
  }

  /**
   * The session of the current scope (Flask-SQLAlchemy's `db.session`): inside `db.scope()`,
   * `db.transaction()` or a request hook (expressScope, fastifyScope, honoScope), that scope's own
   * session; outside any scope, one process-wide session, for scripts. `Model.query` uses it too.
   */
  get session(): Session {
    const scoped = this.scopes.getStore();
    if (scoped) return scoped;
    this.defaultSession ??= new Session(this.engine, this.registry, this.sessionOptions);
    return this.defaultSession;
  }

  /** A new, independent session with its own identity map and transaction. */
  newSession(options: SessionOptions = {}): Session {
    return new Session(this.engine, this.registry, { ...this.sessionOptions, ...options });
  }

  /**
   * Runs `fn` in a scope with a session of its own: `db.session` and `Model.query` inside it (and in
   * everything it awaits) are that session. When `fn` settles the session is closed: work it did not
   * commit is rolled back, and its objects are detached, so its identity map is freed. What a server
   * does per request (the hooks do it for you).
   *
   * @example
   * ```ts
   * const user = await db.scope(async () => {
   *   const user = await User.query.filterBy({ username: 'alice' }).one();
   *   user.email = 'alice@example.com';
   *   await db.session.commit();
   *   return user;
   * });
   * ```
   */
  async scope<R>(fn: (session: Session) => Promise<R> | R): Promise<R> {
    const session = this.newSession();
    try {
      return await this.scopes.run(session, async () => fn(session));
    } finally {
      await session.end('a db.scope()');
    }
  }

  /**
   * Runs `fn` as one transaction in a session of its own (also `db.session` inside it), commits it when
   * `fn` resolves and rolls it back when it throws. On an error the database calls retryable
   * (serialization failure, deadlock, lock timeout, busy SQLite, connection lost before COMMIT, a
   * stale version), it runs `fn` again in a fresh session, up to `retries` times (default 3): keep
   * other side effects out of `fn`. A COMMIT whose outcome is unknown (CommitOutcomeUnknownError) is
   * never retried.
   *
   * @example
   * ```ts
   * await db.transaction(
   *   async (session) => {
   *     const [from, to] = [await session.get(Account, 1), await session.get(Account, 2)];
   *     from!.balance -= 10;
   *     to!.balance += 10;
   *   },
   *   { isolation: 'serializable' },
   * );
   * ```
   */
  transaction<R>(fn: (session: Session) => Promise<R>, options: TransactionOptions = {}): Promise<R> {
    return runTransaction(
      () => this.newSession(),
      (session, body) => this.scopes.run(session, body),
      fn,
      options,
    );
  }

  /**
   * CREATE TABLE for every table not yet there, parents before children, with constraints and indexes.
   * A table that exists is left as it is; when it differs from its model, a warning (the `warn` option,
   * else console.warn) names it and what differs: existing tables change through migrations.
   */
  async createAll(): Promise<void> {
    await createTables(this.engine, this.configuredMetadata(), (message) => this.warn(message));
  }

  /**
   * What differs between the models and the database (an empty list: no drift), each change with a
   * one-line description: tables, columns (type, nullability, server default, comment), keys, UNIQUEs,
   * indexes, CHECKs, comments, as `compareSchemas()` finds them.
   *
   * @example
   * ```ts
   * const drift = await db.checkSchema();
   * if (drift.length) throw new Error(`schema drift:\n${drift.map((d) => d.description).join('\n')}`);
   * ```
   */
  async checkSchema(options: CheckSchemaOptions = {}): Promise<SchemaDrift[]> {
    return checkSchema(this.engine, this.configuredMetadata(), options);
  }

  /**
   * @internal The models' tables as DDL and the differ must see them: every foreign key resolved (a
   * wrong target is an error naming it) and the mappers configured (association tables keyed).
   */
  configuredMetadata(): SqlMetaData {
    const metadata = this.registry.metadata;
    for (const t of metadata.tables.values()) for (const fk of t.foreignKeys) void fk.column;
    this.registry.configure();
    return metadata;
  }

  /**
   * Reads the live database's tables into a new MetaData (not the models' own): see reflectMetaData().
   *
   * @example
   * ```ts
   * const { metadata, tables } = await db.reflect({ tables: ['user'] });
   * ```
   */
  reflect(options: ReflectOptions = {}): Promise<ReflectedMetaData> {
    return reflectMetaData(this.engine, options);
  }

  /** DROP TABLE for every table, children before parents. */
  async dropAll(): Promise<void> {
    await dropTables(this.engine, this.registry.metadata);
  }

  /** Runs `fn` and returns how many SQL statements it ran. */
  countQueries(fn: () => Promise<unknown>): Promise<number> {
    return this.engine.countQueries(fn);
  }

  /** Runs `fn` and returns the statements it ran. */
  recordQueries(fn: () => Promise<unknown>): Promise<StatementEvent[]> {
    return this.engine.recordQueries(fn);
  }

  /** Subscribes to every statement; returns the unsubscribe function. */
  onStatement(listener: StatementListener): () => void {
    return this.engine.onStatement(listener);
  }

  // ---- events and validators (events.ts, validators.ts, session/session-events.ts) ----

  /**
   * Listens to an event: a session event of every session of this database (`beforeFlush`,
   * `afterFlush`, `afterCommit`, `afterRollback`), or a model's mapper event (`beforeInsert`,
   * `afterInsert`, `beforeUpdate`, `afterUpdate`, `beforeDelete`, `afterDelete`, `loaded`).
   * Listeners are synchronous. Returns the function that removes the listener. See docs/events.md.
   *
   * @example
   * ```ts
   * const off = db.on(Post, 'beforeInsert', (post) => void (post.title = post.title.trim()));
   * db.on('afterCommit', ({ session }) => console.log('committed', session.size));
   * off();
   * ```
   */
  on<E extends SessionEventName, R>(event: E, listener: (event: SessionEventMap[E]) => SyncResult<R>): () => void;
  on<C extends AnyModelClass, E extends MapperEventName, R>(
    model: C,
    event: E,
    listener: (obj: InstanceType<C>, context: MapperEventContext) => SyncResult<R>,
  ): () => void;
  on(...args: unknown[]): () => void {
    if (typeof args[0] === 'string' || args.length < 3)
      return listenSession(databaseListeners(this.registry), args[0], args[1], 'db.on');
    return listenMapper(this.registry.mapperOf(args[0]), args[1], args[2]);
  }

  /**
   * Adds a validator to a model's column or relationship (SQLAlchemy's `@validates`): run when the
   * attribute is set (the constructor too) or an object joins the collection (leaves it, with
   * `includeRemoves`); what it returns is stored, a throw stores nothing. See docs/events.md.
   *
   * @example
   * ```ts
   * db.validates(User, 'email', (email) => email?.trim().toLowerCase() ?? null);
   * const user = new User({ username: 'ada', email: ' Ada@Example.ORG ' }); // user.email: 'ada@example.org'
   * ```
   */
  validates<C extends AnyModelClass, K extends ValidatedKey<C>>(
    model: C,
    key: K,
    validator: Validator<InstanceType<C>, ValidatedValue<C, K>>,
    options?: ValidatorOptions,
  ): void {
    addValidator(this.registry.mapperOf(model), key, validator, options);
  }

  /** Closes the default session and every connection. */
  async close(): Promise<void> {
    if (this.defaultSession) await this.defaultSession.close();
    await this.engine.dispose();
  }

  /** A model under another name, to join its table twice. */
  aliased<C extends object>(model: C, name?: string): Omit<C, 'prototype' | 'query'> & AliasedModel {
    const mapper = this.registry.mapperOf(model);
    return makeAlias(mapper, name ?? `${mapper.table.name}_alias`) as unknown as Omit<C, 'prototype' | 'query'> &
      AliasedModel;
  }

  /** Bulk INSERT: `db.session.execute(db.insert(User).values([...]))`. */
  readonly insert = insert;
  /** Bulk UPDATE: `db.update(User).where(...).values({...})`. */
  readonly update = update;
  /** Bulk DELETE: `db.delete(User).where(...)`. */
  readonly delete = delete_;

  /** `select(User)`: an ORM statement to run with `db.session.scalars(...)`. */
  select<T>(model: abstract new (...args: never[]) => T): Query<T> {
    return new Query<T>(this.registry.mapperOf(model), null);
  }
}
