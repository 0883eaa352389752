/**
 * `db.Model('User', { ... })`: builds the table, the mapper and a base class whose prototype has an
 * accessor per column and relationship, and whose static side has the column expressions.
 */
import { ArgumentError } from '../../sql/errors.js';
import { checkOptions } from '../../sql/options.js';
import { Column, Table } from '../../sql/schema.js';
import type { TableConstraint } from '../../sql/constraints.js';
import { columnOptionTable } from '../../sql/schema-options.js';
import { unstorableTypeProblem } from '../../sql/storable.js';
import {
  AttributeDecl,
  ColumnDecl,
  RelationshipDecl,
  type AnyModelClass,
  type ColumnLoadingOptions,
  type Declarations,
} from './declarative.js';
import { declareColumnLoading, markLoaded, unloadedColumn } from '../loading/deferred-columns.js';
import {
  checkPolymorphicOptions,
  constructedHere,
  inheritFrom,
  setUpPolymorphism,
  subclassTable,
} from './inheritance-setup.js';
import { Mapper, type MappedColumn } from './mapper.js';
import type { Registry } from './registry.js';
import { RelationshipProperty } from './relationships.js';
import { ExpiredAttributeError, MappingError } from '../errors.js';
import { checkRelationshipOptions, modelOptionTable } from './option-tables.js';
import { validated } from './validators.js';
import { hooksOf } from './events.js';
import { InstanceState, STATE } from '../session/state.js';
import { WriteOnlyCollection } from '../session/write-only.js';
import { installCollectionView } from '../session/collection-views.js';
import { serializeValue } from '../serialization/serialize.js';
import { INSPECT, inspectModel, type InspectFn } from '../serialization/inspect.js';

/**
 * Options of `db.Model(name, declarations, options)`.
 *
 * @example
 * ```ts
 * class Article extends db.Model(
 *   'Article',
 *   {
 *     id: db.Column(db.Integer, { primaryKey: true }),
 *     version: db.Column(db.Integer, { nullable: false }),
 *     body: db.Column(db.Text),
 *   },
 *   { tableName: 'articles', versionId: 'version' },
 * ) {}
 * ```
 */
export interface ModelOptions {
  /** Table name; defaults to the model name in snake_case (`BlogPost` → `blog_post`), as Flask-SQLAlchemy does. */
  tableName?: string;
  /**
   * An integer column that counts versions (SQLAlchemy's version_id_col): every UPDATE and DELETE
   * checks it, so a change made meanwhile by someone else raises StaleDataError instead of being lost.
   */
  versionId?: string;
  /**
   * Table-level constraints, as SQLAlchemy's `__table_args__`: a composite `PrimaryKeyConstraint`,
   * `ForeignKeyConstraint`s over several columns, `CheckConstraint`s. Columns are named by their
   * database names.
   */
  tableArgs?: readonly TableConstraint[];
  /** The table's comment in the database (COMMENT ON on PostgreSQL, inline on MySQL; none on SQLite). */
  comment?: string;
  /** The schema the table lives in: a PostgreSQL schema, a MySQL database, an attached SQLite database. */
  schema?: string;
  /** The model class this one inherits from (mapped inheritance: see docs/inheritance.md). */
  inherits?: AnyModelClass;
  /** On the base of a hierarchy: the discriminator column's attribute, saying which class each row is. */
  polymorphicOn?: string;
  /** The discriminator value of this model's rows. */
  polymorphicIdentity?: string;
}

/**
 * The table name a model gets when `tableName` is not given: Flask-SQLAlchemy's camel_to_snake_case, `User` → `user`, `BlogPost` → `blog_post`, `HTTPResponse` → `http_response`.
 *
 * @example
 * ```ts
 * import { tableNameFor } from 'relata';
 *
 * console.log(tableNameFor('BlogPost')); // 'blog_post'
 * ```
 */
export function tableNameFor(modelName: string): string {
  return modelName
    .replace(/((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))/g, '_$1')
    .toLowerCase()
    .replace(/^_+/, '');
}

/** A model's own table (a base's, or a joined subclass's), from its options, added to the metadata. */
export function modelTable(registry: Registry, name: string, columns: readonly Column[], options: ModelOptions): Table {
  return registry.metadata.add(
    new Table(options.tableName ?? tableNameFor(name), columns, options.tableArgs ?? [], {
      ...(options.comment !== undefined && { comment: options.comment }),
      ...(options.schema !== undefined && { schema: options.schema }),
    }),
  );
}

/** Every model instance inherits from this. */
export abstract class ModelBase {
  declare [STATE]: InstanceState;

  /**
   * Columns and loaded relationships as plain JSON values (what JSON.stringify prints): see
   * `serialize` for the cycle rule. Loads nothing.
   */
  toJSON(): Record<string, unknown> {
    return serializeValue(this) as Record<string, unknown>;
  }
}

/** console.log / util.inspect: `User { id: 1, username: 'alice', posts: [2 Post], profile: <not loaded> }`. */
Object.defineProperty(ModelBase.prototype, INSPECT, {
  value(this: ModelBase, _depth: number, options: object, inspect: InspectFn) {
    return inspectModel(this[STATE], options, inspect);
  },
});

export function createModel(registry: Registry, name: string, decls: Declarations, options: ModelOptions = {}) {
  if (typeof name !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(name)) {
    throw new ArgumentError(`db.Model(name, ...) needs the model's class name as a string, got ${String(name)}`);
  }
  if (registry.mappers.has(name)) throw new ArgumentError(`a model named '${name}' is already declared`);
  if (typeof decls !== 'object' || decls === null)
    throw new ArgumentError(`db.Model('${name}', ...) needs an object of columns and relationships`);
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError(`db.Model('${name}', decls, options): options must be an object`);
  checkOptions(options, modelOptionTable, `Model ${name}`, MappingError);
  const columns: Column[] = [];
  const relationships: [string, RelationshipDecl][] = [];
  const declared: [string, AttributeDecl<unknown, unknown, unknown>][] = [];
  const loadings: [string, Column, ColumnLoadingOptions][] = [];
  for (const [key, decl] of Object.entries(decls)) {
    if (decl instanceof ColumnDecl) {
      checkColumnDecl(`${name}.${key}`, decl);
      const col = new Column(decl.options.name ?? decl.name ?? key, decl.type, decl.foreignKeys, decl.options);
      col.key = key;
      columns.push(col);
      if (decl.loading) loadings.push([key, col, decl.loading]);
    } else if (decl instanceof RelationshipDecl) {
      checkRelationshipOptions(decl.options, `relationship ${name}.${key}`);
      relationships.push([key, decl]);
    } else if (decl instanceof AttributeDecl) {
      declared.push([key, decl]);
    } else {
      throw new ArgumentError(`${name}.${key} must be db.Column(...), db.relationship(...) or another db.* attribute`);
    }
  }
  const parent = options.inherits === undefined ? null : inheritFrom(registry, name, options.inherits);
  checkPolymorphicOptions(
    name,
    parent,
    columns.map((c) => c.key),
    options,
  );
  const table = parent
    ? subclassTable(registry, name, parent, columns, options)
    : modelTable(registry, name, columns, options);

  // After the table: a PrimaryKeyConstraint in tableArgs makes its columns primary keys.
  for (const [key, col, loading] of loadings) declareColumnLoading(`${name}.${key}`, col, loading);

  // Assigned right after the class exists; the class body only reads it later, at construction.
  // eslint-disable-next-line prefer-const
  let mapper: Mapper;
  const Super = (options.inherits ?? ModelBase) as unknown as new () => ModelBase;
  const Base = class extends Super {
    constructor(init?: Record<string, unknown>) {
      super();
      // Called as a subclass model's super(): that constructor sets the object up.
      if (mapper.inheritance.subclasses.length && !constructedHere(new.target, mapper)) return;
      registry.bindClass(new.target, mapper);
      // Configure on first use (SQLAlchemy's configure_mappers): backrefs exist before the first query.
      registry.configure();
      const st = new InstanceState(mapper, this, {});
      st.rel = {};
      this[STATE] = st;
      if (init !== undefined) {
        if (typeof init !== 'object' || init === null)
          throw new ArgumentError(`new ${name}(...) takes an object of attribute values`);
        for (const k in init) {
          if (!Object.prototype.hasOwnProperty.call(init, k)) continue;
          const value = (init as Record<string, unknown>)[k];
          const mc = mapper.columnsByKey.get(k);
          // A column goes straight into the new state (what its setter does for a transient object).
          if (mc) st.v[k] = checkedColumnValue(mapper, mc, validated(mapper, k, value, this, 'set'));
          else if (mapper.relationships.has(k) || mapper.declaredAttributes.get(k)?.acceptsInit())
            (this as unknown as Record<string, unknown>)[k] = value;
          else if (mapper.declaredAttributes.has(k))
            throw new ArgumentError(`new ${name}(): ${name}.${k} cannot be given to the constructor`);
          else throw new ArgumentError(`new ${name}(): ${name} has no attribute '${k}'`);
        }
      }
      if (mapper.inheritance.on) mapper.inheritance.setDiscriminator(st);
    }
    static get query() {
      return registry.defaultSession().query(this);
    }
    static get modelName() {
      return name;
    }
    static get __table__() {
      return table;
    }
    /** @internal The mapper, for functions that take a model class (insert(User), …). */
    static get __mapper__(): Mapper {
      return registry.bindClass(this, mapper);
    }
  };
  Object.defineProperty(Base, 'name', { value: name });
  mapper = new Mapper(registry, name, table, Base, parent ? { parent, own: columns } : undefined);
  if (parent?.hooks) hooksOf(mapper); // its base's validators and listeners apply to it
  if (options.versionId !== undefined) mapper.setVersionColumn(options.versionId);
  setUpPolymorphism(mapper, options);
  registry.register(mapper);

  for (const mc of mapper.columns) installColumn(mapper, mc.key);
  if (parent) for (const prop of parent.relationships.values()) inheritRelationship(mapper, prop);
  for (const [key, decl] of relationships) installRelationship(mapper, new RelationshipProperty(mapper, key, decl));
  for (const [key, decl] of declared) installDeclared(mapper, key, decl);
  installBackrefPlaceholders(registry, mapper);
  return Base;
}

/**
 * A backref's class attribute (`Employee.reports` from a backref on `Employee.manager`) is created
 * when the mappers are configured. Until then every model of the registry carries a placeholder
 * for each declared backref name, whose first read configures them (SQLAlchemy configures on
 * first use), so `selectinload(Employee.reports)` works as the first thing a process does.
 */
function installBackrefPlaceholders(registry: Registry, mapper: Mapper): void {
  const added: string[] = [];
  for (const prop of mapper.relationships.values()) {
    const backref = prop.options.backref;
    const name = typeof backref === 'string' ? backref : backref?.name;
    if (typeof name === 'string' && !registry.backrefNames.has(name)) {
      registry.backrefNames.add(name);
      added.push(name);
    }
  }
  for (const m of registry.mappers.values()) {
    for (const name of m === mapper ? registry.backrefNames : added) defineBackrefPlaceholder(m, name);
  }
}

function defineBackrefPlaceholder(mapper: Mapper, key: string): void {
  if (mapper.attributes.has(key) || Object.prototype.hasOwnProperty.call(mapper.base, key)) return;
  Object.defineProperty(mapper.base, key, {
    enumerable: false,
    configurable: true,
    get(this: unknown) {
      // Configuring replaces this placeholder on the models the backref belongs to (defineStatic).
      mapper.registry.configure();
      const attr = mapper.attributes.get(key);
      if (attr && this !== mapper.base && typeof this === 'function') mapper.registry.bindClass(this, mapper);
      return attr;
    },
  });
}

/** Refuses, naming the column, a type with no DDL and any option Relata does not implement. */
export function checkColumnDecl(where: string, decl: ColumnDecl): void {
  const problem = unstorableTypeProblem(decl.type);
  if (problem) throw new MappingError(`${where}: ${problem}`);
  checkOptions(decl.options, columnOptionTable, where, MappingError);
  const keyProblem = unkeyableTypeProblem(decl);
  if (keyProblem) throw new MappingError(`${where}: ${keyProblem}`);
}

/**
 * Bytes and arrays are objects: the identity map would key rows by the object, not its contents;
 * and MySQL cannot index a LONGBLOB without a prefix length. So they are no keys and no indexes.
 */
function unkeyableTypeProblem(decl: ColumnDecl): string | null {
  const name = decl.type.typeName;
  if (name !== 'LargeBinary' && name !== 'Array') return null;
  const o = decl.options;
  if (o.primaryKey)
    return `${name === 'Array' ? 'an ArrayOf()' : 'a LargeBinary'} column cannot be a primary key (the identity map would key rows by the object, not by its contents)`;
  if (name === 'LargeBinary' && (o.unique || o.index))
    return 'a LargeBinary column cannot be unique or indexed (MySQL cannot index a LONGBLOB)';
  return null;
}

/** `value` if column `mc` may hold it, else an ArgumentError naming the attribute. */
function checkedColumnValue(mapper: Mapper, mc: MappedColumn, value: unknown): unknown {
  const target = { model: mapper.name, column: mc.key };
  if (value === undefined)
    throw new ArgumentError(`${mapper.name}.${mc.key} cannot be set to undefined; use null for NULL`, target);
  if (value === null) {
    if (!mc.column.nullable && !mc.column.autoincrement)
      throw new ArgumentError(`${mapper.name}.${mc.key} is not nullable`, target);
  } else {
    const problem = mc.column.type.checkValue(value);
    if (problem) throw new ArgumentError(`${mapper.name}.${mc.key}: ${problem}`, target);
  }
  return value;
}

function expiredError(st: InstanceState, key: string): ExpiredAttributeError {
  return new ExpiredAttributeError(
    `${st.mapper.name}.${key} of ${String(st)} is expired (by session.expire() or expireAll(), or its row was not ` +
      'found when a query loaded it: deleted by another session meanwhile); load it again with ' +
      '`await session.refresh(obj)`, `await session.get(Model, id)` or a query that returns the row',
  );
}

function installColumn(mapper: Mapper, key: string): void {
  const mc = mapper.columnsByKey.get(key)!;
  const generatedKey = mc.column.primaryKey && mc.column.autoincrement;
  defineStatic(mapper, key);
  Object.defineProperty(mapper.base.prototype, key, {
    enumerable: true,
    get(this: ModelBase) {
      const st = this[STATE];
      const v = st.v[key];
      if (v !== undefined) return v;
      if (st.expired?.has(key)) throw expiredError(st, key);
      return st.unloaded?.has(key) ? unloadedColumn(st, mc) : null;
    },
    set(this: ModelBase, given: unknown) {
      const st = this[STATE];
      const value = mapper.hooks === null ? given : validated(mapper, key, given, this, 'set');
      checkedColumnValue(mapper, mc, value);
      // Assigning a column that is not loaded needs no load: the flush writes what was assigned.
      if (st.unloaded?.has(key)) markLoaded(st, key);
      const prev = st.v[key];
      if (st.expired?.delete(key) && st.expired.size === 0) st.expired = null;
      if (prev === value) return;
      // A detached object keeps its snapshot: what changes meanwhile is written when it is added again.
      if (st.status === 'persistent' || st.status === 'detached') {
        st.noteModified(key, prev);
        st.session?.noteChanged(st);
      } else if (st.session !== null) {
        st.session.notePendingChanged(st);
      }
      // A new object's generated key set to null is unset: the database assigns one (after makeTransient()).
      if (value === null && generatedKey && (st.status === 'transient' || st.status === 'pending')) delete st.v[key];
      else st.v[key] = value;
    },
  });
}

/**
 * A class attribute on the generated base: reading it through the user's subclass (`Tag.id`) binds
 * that subclass, which then gets its own copies (see Registry.bindClass; `Tag.name` needs that).
 */
function defineStatic(mapper: Mapper, key: string): void {
  Object.defineProperty(mapper.base, key, {
    enumerable: true,
    configurable: true,
    get(this: unknown) {
      if (this !== mapper.base && typeof this === 'function') mapper.registry.bindClass(this, mapper);
      return mapper.attributes.get(key);
    },
  });
  // A subclass bound before this attribute existed (a backref added at configure time) gets it too.
  if (mapper.cls !== mapper.base) {
    Object.defineProperty(mapper.cls, key, { value: mapper.attributes.get(key), enumerable: true, configurable: true });
  }
}

/** A base's relationship on a subclass: the same property (its instance accessor is inherited). */
function inheritRelationship(mapper: Mapper, prop: RelationshipProperty): void {
  mapper.relationships.set(prop.key, prop);
  mapper.attributes.set(prop.key, prop.attribute);
  defineStatic(mapper, prop.key);
  for (const sub of mapper.inheritance.subclasses) inheritRelationship(sub, prop);
}

/** Adds a relationship to a mapper: the property, the class attribute and the instance accessor. */
export function installRelationship(mapper: Mapper, prop: RelationshipProperty): void {
  const key = prop.key;
  if (mapper.columnsByKey.has(key))
    throw new ArgumentError(`${mapper.name}.${key} is both a column and a relationship`);
  mapper.relationships.set(key, prop);
  mapper.attributes.set(key, prop.attribute);
  defineStatic(mapper, key);
  // A backref added to a base when the mappers are configured is its subclasses' too.
  for (const sub of mapper.inheritance.subclasses) inheritRelationship(sub, prop);
  if (prop.decl.options.lazy === 'writeOnly') {
    // Never loaded: reading it is its WriteOnlyCollection, whatever the object's state.
    Object.defineProperty(mapper.base.prototype, key, {
      enumerable: true,
      configurable: true,
      get(this: ModelBase) {
        mapper.registry.configure();
        return WriteOnlyCollection.of_(this[STATE], prop);
      },
      set(this: ModelBase, value: unknown) {
        prop.set(this[STATE], value);
      },
    });
    return;
  }
  const collection = prop.decl.options.collection;
  if (collection !== undefined && collection !== 'list') return installCollectionView(mapper, prop);
  Object.defineProperty(mapper.base.prototype, key, {
    enumerable: true,
    configurable: true,
    get(this: ModelBase) {
      const st = this[STATE];
      const rel = st.rel;
      if (rel !== null && key in rel) return rel[key];
      if (st.status === 'transient' || st.status === 'pending') {
        mapper.registry.configure();
        return prop.currentValue(st, 'read');
      }
      return prop.unloaded(st);
    },
    set(this: ModelBase, value: unknown) {
      prop.set(this[STATE], value);
    },
  });
}

/**
 * Adds an attribute of another declaration kind: the declaration installs its instance accessor and
 * class attribute; the class attribute is then visible through the model class like a column's.
 */
export function installDeclared(mapper: Mapper, key: string, decl: AttributeDecl<unknown, unknown, unknown>): void {
  if (mapper.columnsByKey.has(key) || mapper.relationships.has(key))
    throw new ArgumentError(`${mapper.name}.${key} is declared twice`);
  mapper.declaredAttributes.set(key, decl);
  decl.install(mapper, key);
  defineStatic(mapper, key);
}
