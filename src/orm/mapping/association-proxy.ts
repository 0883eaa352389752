/**
 * Association proxies (SQLAlchemy's sqlalchemy.ext.associationproxy): `user.keywords` read and
 * written through the collection `user.userKeywords`, each member seen as one of its attributes
 * (a many-to-one relationship, `UserKeyword.keyword`, or a column, `Tag.name`). Declared with
 * `db.associationProxy(collection, attribute, { creator })`, installed as an {@link AttributeDecl}.
 */
import { ArgumentError } from '../../sql/errors.js';
import type { ColumnElement } from '../../sql/expressions.js';
import { loadRelated } from '../loading/context.js';
import { MappingError, NotLoadedError } from '../errors.js';
import { stateOf, STATE, type InstanceState } from '../session/state.js';
import { AssociationList, type ProxySource } from './association-list.js';
import type { ColumnAttribute } from './attributes.js';
import { AttributeDecl, type Related, type Unloaded } from './declarative.js';
import type { MappedColumn, Mapper } from './mapper.js';
import type { RelationshipProperty } from './relationships.js';
import { lowerFirst } from './unloaded-value.js';

/**
 * What an association proxy lists for attribute `A` of the association model `T`: the relationship's
 * target (`UserKeyword.keyword` → `Keyword`) or the column's value (`Tag.name` → `string`). A member
 * whose attribute is null is not listed: it stands for no value.
 *
 * @example
 * ```ts
 * import type { ProxiedValue } from 'relata';
 *
 * const name: ProxiedValue<Tag, 'name'> = 'news'; // string
 * ```
 */
export type ProxiedValue<T, A extends keyof T> = NonNullable<Exclude<T[A], Unloaded<unknown>>>;

/**
 * Options of {@link associationProxy}.
 *
 * @example
 * ```ts
 * import type { AssociationProxyOptions } from 'relata';
 *
 * const options: AssociationProxyOptions<Tag, string> = { creator: (name) => new Tag({ name }) };
 * ```
 */
export interface AssociationProxyOptions<T, V> {
  /**
   * Makes the association object for a value added through the proxy. Without it the association
   * model is constructed with the attribute set: `new UserKeyword({ keyword })`.
   */
  creator?: (value: V) => T;
}

/** A member's attribute that is a relationship not loaded yet. */
const NOT_LOADED: unique symbol = Symbol('not-loaded');

/** What a proxy resolves to once the mappers are configured. */
interface Resolved {
  readonly collection: RelationshipProperty;
  readonly target: Mapper;
  /** The proxied attribute when it is a many-to-one relationship of the target. */
  readonly viaRelationship: RelationshipProperty | null;
  /** The proxied attribute when it is a column of the target. */
  readonly viaColumn: MappedColumn | null;
}

/**
 * The declaration `db.associationProxy('userKeywords', 'keyword')` returns: `T` is the association
 * model, `V` the value listed. Put it in a model's declarations; the model installs it.
 *
 * @example
 * ```ts
 * import type { AssociationProxyDecl } from 'relata';
 *
 * const decl: AssociationProxyDecl<Tag, string> = db.associationProxy<Tag, 'name'>('tags', 'name');
 * ```
 */
export class AssociationProxyDecl<T extends object, V> extends AttributeDecl<
  Related<V[]>,
  AssociationProxyAttribute<V>,
  readonly V[]
> {
  private owner: Mapper | null = null;
  private key = '';
  private resolved: Resolved | null = null;

  constructor(
    /** The collection relationship of the declaring model the proxy reads through. */
    readonly collectionKey: string,
    /** The attribute of each member the proxy lists. */
    readonly attributeKey: string,
    private readonly options: AssociationProxyOptions<T, V>,
  ) {
    super();
  }

  /** `Model.key`, as messages name the proxy. */
  get name(): string {
    return `${this.owner?.name ?? '?'}.${this.key}`;
  }

  install(mapper: Mapper, key: string): void {
    this.owner = mapper;
    this.key = key;
    if (!mapper.relationships.has(this.collectionKey) && !mapper.registry.backrefNames.has(this.collectionKey)) {
      throw new MappingError(
        `association proxy ${mapper.name}.${key}: ${mapper.name} has no relationship '${this.collectionKey}'; ` +
          `the first argument names the collection the proxy reads through (db.associationProxy('userKeywords', 'keyword'))`,
      );
    }
    mapper.attributes.set(key, new AssociationProxyAttribute<V>(this));
    const proxy = this as AssociationProxyDecl<object, unknown>;
    Object.defineProperty(mapper.base.prototype, key, {
      enumerable: false,
      configurable: true,
      get(this: object) {
        return proxy.read(this);
      },
      set(this: object, values: unknown) {
        proxy.assign(this, values);
      },
    });
  }

  override acceptsInit(): boolean {
    return true;
  }

  /** @internal The relationships and column the proxy goes through, checked once the mappers are configured. */
  resolve(): Resolved {
    if (this.resolved) return this.resolved;
    const owner = this.owner;
    if (!owner) throw new MappingError('an association proxy is used before its model declares it');
    owner.registry.configure();
    const collection = owner.relationships.get(this.collectionKey);
    if (!collection)
      throw new MappingError(
        `association proxy ${this.name}: ${owner.name} has no relationship '${this.collectionKey}'`,
      );
    if (!collection.uselist) {
      throw new MappingError(
        `association proxy ${this.name}: ${collection.name} is not a collection (uselist: false); ` +
          `proxies go through collections. Read ${lowerFirst(owner.name)}.${this.collectionKey}?.${this.attributeKey} instead`,
      );
    }
    if (collection.collectionClass !== 'list') {
      throw new MappingError(
        `association proxy ${this.name}: ${collection.name} is a ${collection.collectionClass === 'set' ? 'Set' : 'keyed (Map)'} collection; ` +
          `proxies go through array collections only (SQLAlchemy's set and dict proxies are not implemented)`,
      );
    }
    const target = collection.target;
    const viaRelationship = target.relationships.get(this.attributeKey) ?? null;
    const viaColumn = target.columnsByKey.get(this.attributeKey) ?? null;
    if (!viaRelationship && !viaColumn) {
      throw new MappingError(
        `association proxy ${this.name}: ${target.name} (the target of ${collection.name}) has no column or relationship '${this.attributeKey}'`,
      );
    }
    if (viaRelationship?.uselist) {
      throw new MappingError(
        `association proxy ${this.name}: ${viaRelationship.name} is a collection; a proxy lists one value per member of ${collection.name} (a column or a many-to-one)`,
      );
    }
    this.resolved = { collection, target, viaRelationship, viaColumn };
    return this.resolved;
  }

  /** The instance attribute: the list when the collection (and each member's attribute) is loaded, else awaitable. */
  read(owner: object): unknown {
    const members = this.loadedMembers(owner);
    if (members === NOT_LOADED) return this.unloaded(owner);
    const values: V[] = [];
    const listed: object[] = [];
    for (const m of members) {
      const v = this.memberValue(m);
      if (v === NOT_LOADED) return this.unloaded(owner);
      if (v === null || v === undefined) continue;
      values.push(v as V);
      listed.push(m);
    }
    return AssociationList.of_(this.source(), owner, listed, values);
  }

  /**
   * `owner.keywords = [...]`: the collection becomes one member per value, keeping each loaded member
   * whose value is in the list (its other columns are kept) and creating one for each new value.
   */
  assign(owner: object, values: unknown): void {
    if (!Array.isArray(values)) throw new ArgumentError(`${this.name} takes an array of values, got ${typeof values}`);
    const r = this.resolve();
    const current = this.loadedMembers(owner);
    const old = current === NOT_LOADED ? [] : [...current];
    const next = values.map((v: V) => {
      const i = old.findIndex((m) => this.memberValue(m) === v);
      return i >= 0 ? old.splice(i, 1)[0]! : this.create(v);
    });
    (owner as Record<string, unknown>)[r.collection.key] = next;
  }

  /** @internal Loads the collection and, for a relationship proxy, the members' targets in one batch; then reads. */
  async load(owner: object): Promise<unknown> {
    const r = this.resolve();
    const st = stateOf(owner)!;
    const session = st.session;
    if (!session) {
      throw new NotLoadedError(
        `${this.name} cannot be loaded: ${st} is not in a session (it was expunged or its session closed)`,
      );
    }
    const members = (await (owner as Record<string, unknown>)[r.collection.key]) as object[];
    const via = r.viaRelationship;
    if (via) {
      const todo = members.map((m) => stateOf(m)!).filter((m) => m.status === 'persistent' && !m.isLoaded(via.key));
      if (todo.length > 0) await session.run(() => loadRelated(session, todo, via, new Map(), [via], null));
    }
    return this.read(owner);
  }

  /** @internal A new association object for `value`: the creator's, or the target constructed with the attribute. */
  create(value: V): object {
    const r = this.resolve();
    const made = this.options.creator
      ? this.options.creator(value)
      : new (r.target.cls as unknown as new (init: object) => object)({ [this.attributeKey]: value });
    const st = made !== null && typeof made === 'object' ? stateOf(made) : undefined;
    if (!st || !isOrExtends(st.mapper, r.target)) {
      throw new ArgumentError(
        `association proxy ${this.name}: the creator must return a new ${r.target.name} (a member of ${r.collection.name})`,
      );
    }
    return made;
  }

  private source(): ProxySource<V> {
    return {
      name: this.name,
      collection: (owner) => {
        const members = this.loadedMembers(owner);
        if (members === NOT_LOADED)
          throw new NotLoadedError(
            `${this.name}: ${this.resolve().collection.name} is no longer loaded; read ${this.name} again`,
          );
        return members;
      },
      create: (value) => this.create(value),
    };
  }

  /** The owner's collection when it can be read without SQL. */
  private loadedMembers(owner: object): object[] | typeof NOT_LOADED {
    const r = this.resolve();
    const st = (owner as { [STATE]: InstanceState })[STATE];
    if (!readable(st, r.collection.key)) return NOT_LOADED;
    return (owner as Record<string, unknown>)[r.collection.key] as object[];
  }

  /** A member's proxied value, or NOT_LOADED when it is a relationship still to load. */
  private memberValue(member: object): unknown {
    const r = this.resolve();
    if (r.viaRelationship && !readable(stateOf(member)!, r.viaRelationship.key)) return NOT_LOADED;
    return (member as Record<string, unknown>)[this.attributeKey];
  }

  /** What an unloaded proxy reads as: awaitable (loads it), loud on synchronous use. */
  private unloaded(owner: object): unknown {
    const target = {
      then: (ok: (v: unknown) => unknown, fail: (e: unknown) => unknown) => this.load(owner).then(ok, fail),
    };
    const name = this.name;
    const message = () =>
      `${name} is not loaded. Use \`await ${lowerFirst(this.owner!.name)}.${this.key}\` to load it, ` +
      `or load it with the query: .options(selectinload(${this.name}))`;
    return new Proxy(target, {
      get(t, key) {
        if (key === 'then') return t.then;
        if (key === Symbol.for('nodejs.util.inspect.custom')) return () => `<${name} not loaded>`;
        if (key === 'toJSON') return () => undefined;
        if (key === Symbol.toPrimitive || key === 'constructor' || key === Symbol.toStringTag) return undefined;
        throw new NotLoadedError(message());
      },
    });
  }
}

/** Whether `key` of a state reads without SQL: loaded, or an object not persisted yet. */
function readable(st: InstanceState, key: string): boolean {
  return st.isLoaded(key) || st.status === 'transient' || st.status === 'pending';
}

function isOrExtends(mapper: Mapper, base: Mapper): boolean {
  if (mapper === base) return true;
  const proto = (mapper.cls as { prototype: object }).prototype;
  return proto instanceof (base.cls as unknown as new () => object);
}

/**
 * An association proxy on the model class (`User.keywords`): filter with `any(criteria)` (an
 * EXISTS through the collection), `contains(value)` for a column proxy, or load it with
 * `selectinload(User.keywords)`, which makes `user.keywords` usable without `await`.
 *
 * @example
 * ```ts
 * import { Database, selectinload } from 'relata';
 *
 * const db = new Database();
 * class Label extends db.Model('Label', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   name: db.Column(db.String(40), { nullable: false }),
 * }) {}
 * const itemLabels = db.Table(
 *   'item_labels',
 *   db.Column('item_id', db.Integer, db.ForeignKey('item.id')),
 *   db.Column('label_id', db.Integer, db.ForeignKey('label.id')),
 * );
 * class Item extends db.Model('Item', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   labels: db.relationship(() => Label, { secondary: itemLabels }),
 *   labelNames: db.associationProxy<Label, 'name'>('labels', 'name'),
 * }) {}
 * const red = await Item.query.filter(Item.labelNames.contains('red')).options(selectinload(Item.labelNames)).all();
 * console.log(red[0]?.labelNames.join(', ')); // no await: loaded
 * ```
 */
export class AssociationProxyAttribute<V = unknown> {
  /** @internal Tells attributes apart. */
  readonly kind = 'association-proxy-attribute';
  /** Type-only: the attribute's name on the model (set by the model's class-side type). */
  declare readonly '~key': string;
  /** Type-only: the attribute's value once loaded (an {@link AssociationList} at run time, typed as an array like a relationship's collection). */
  declare readonly __loaded: V[];

  /** @internal The declaration. */
  readonly proxy: AssociationProxyDecl<object, unknown>;

  constructor(proxy: AssociationProxyDecl<object, V>) {
    this.proxy = proxy as AssociationProxyDecl<object, unknown>;
  }

  /**
   * EXISTS (a member whose proxied object matches `criteria`): `User.keywords.any(Keyword.word.eq('orm'))`
   * is `User.userKeywords.any(UserKeyword.keyword.has(...))`. For a column proxy the criteria are on the
   * members' columns.
   */
  any(criteria?: ColumnElement<boolean>): ColumnElement<boolean> {
    const r = this.proxy.resolve();
    const inner = r.viaRelationship ? r.viaRelationship.exists(criteria, 'has') : criteria;
    return r.collection.exists(inner, 'any');
  }

  /** EXISTS (a member whose proxied column equals `value`): for a column proxy (`Item.labelNames.contains('red')`). */
  contains(value: V): ColumnElement<boolean> {
    const r = this.proxy.resolve();
    if (!r.viaColumn) {
      throw new ArgumentError(
        `${this.proxy.name}.contains() compares a column; ${this.proxy.name} lists ${r.target.name}.${this.proxy.attributeKey}, a relationship: use ${this.proxy.name}.any(criteria)`,
      );
    }
    const column = r.target.attributes.get(r.viaColumn.key) as ColumnAttribute<unknown>;
    return r.collection.exists(column.eq(value as never), 'any');
  }

  /** @internal The relationships a loader option for the proxy loads: the collection, then (a relationship proxy) each member's target. */
  loadPath(): readonly RelationshipProperty[] {
    const r = this.proxy.resolve();
    return r.viaRelationship ? [r.collection, r.viaRelationship] : [r.collection];
  }

  /** `Model.key`, as messages name it. */
  toString(): string {
    return this.proxy.name;
  }
}

/**
 * An association proxy: `keywords: db.associationProxy<UserKeyword, 'keyword'>('userKeywords', 'keyword')`
 * lists `user.userKeywords`' keywords as `user.keywords` (typed `Keyword[]` from `UserKeyword.keyword`, or
 * a column's values). Readable without `await` once the collection is loaded; `await user.keywords`
 * loads it (and the keywords) in two statements. `push`/`remove`/assigning create and remove association
 * objects with `creator`, written by the next flush like any change to the collection.
 *
 * @example
 * ```ts
 * import { Database, associationProxy } from 'relata';
 *
 * const db = new Database();
 * class Keyword extends db.Model('Keyword', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   word: db.Column(db.String(40), { nullable: false }),
 * }) {}
 * class Member extends db.Model('Member', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   memberKeywords: db.relationship<MemberKeyword>('MemberKeyword', { cascade: 'all, delete-orphan' }),
 *   keywords: associationProxy<MemberKeyword, 'keyword'>('memberKeywords', 'keyword', {
 *     creator: (keyword: Keyword): MemberKeyword => new MemberKeyword({ keyword }),
 *   }),
 * }) {}
 * class MemberKeyword extends db.Model('MemberKeyword', {
 *   memberId: db.Column(db.Integer, db.ForeignKey('member.id'), { primaryKey: true }),
 *   keywordId: db.Column(db.Integer, db.ForeignKey('keyword.id'), { primaryKey: true }),
 *   keyword: db.relationship<Keyword>('Keyword', { uselist: false }),
 * }) {}
 * const member = (await Member.query.first())!;
 * const keywords = await member.keywords; // Keyword[]: two statements the first time
 * keywords.push(new Keyword({ word: 'orm' })); // a new MemberKeyword, inserted at the next flush
 * ```
 */
export function associationProxy<T extends object, A extends keyof T & string>(
  collection: string,
  attribute: A,
  options: AssociationProxyOptions<T, ProxiedValue<T, A>> = {},
): AssociationProxyDecl<T, ProxiedValue<T, A>> {
  if (typeof collection !== 'string' || typeof attribute !== 'string') {
    throw new ArgumentError(
      "associationProxy(collection, attribute) takes two attribute names: ('userKeywords', 'keyword')",
    );
  }
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('associationProxy(): options must be an object');
  for (const k of Object.keys(options)) {
    if (k !== 'creator') throw new ArgumentError(`associationProxy(): unknown option '${k}' (it takes creator)`);
  }
  if (options.creator !== undefined && typeof options.creator !== 'function')
    throw new ArgumentError('associationProxy(): creator must be a function of the value');
  return new AssociationProxyDecl(collection, attribute, options);
}
