/**
 * Polymorphic associations with referential integrity: one child table (comments) whose rows each
 * belong to exactly one parent among several tables (posts, photos). The child has one nullable
 * foreign key per target, so every key is a real FOREIGN KEY with its ON DELETE; a CHECK makes
 * "exactly one is set" a fact of the database (polymorphic-check.ts). `db.polymorphicRelationship`
 * declares it: one many-to-one relationship per target (its "members", ordinary relationships the
 * loaders and the unit of work already handle) and the union attribute over them, which reads the
 * one that is set and, when assigned, sets one key and clears the others.
 */
import { ArgumentError } from '../../sql/errors.js';
import { MappingError } from '../errors.js';
import { NOT_LOADED, STATE, stateOf, type InstanceState } from '../session/state.js';
import { PolymorphicAttribute } from './attributes.js';
import { AttributeDecl, RelationshipDecl, type AnyModelClass, type LazyStrategy, type Related } from './declarative.js';
import type { Mapper } from './mapper.js';
import { checkMembers } from './polymorphic-check.js';
import { noteScalarChange, targetInIdentityMap } from './relationship-access.js';
import { RelationshipProperty, type PolymorphicLink } from './relationships.js';

/**
 * Each target of a polymorphic relationship: the model's name, or a thunk returning its class, under
 * the key its type argument gives it.
 *
 * @example
 * ```ts
 * import type { PolymorphicTargets } from 'relata';
 *
 * const targets: PolymorphicTargets<{ post: Post; user: User }> = { post: 'Post', user: () => User };
 * ```
 */
export type PolymorphicTargets<M> = { readonly [K in keyof M]: string | (() => AnyModelClass) };

/**
 * Options of `db.polymorphicRelationship(targets, options)`.
 *
 * @example
 * ```ts
 * import type { PolymorphicOptions } from 'relata';
 *
 * const options: PolymorphicOptions = { checkName: 'ck_note_one_parent', lazy: 'selectin' };
 * ```
 */
export interface PolymorphicOptions {
  /** The name of the CHECK that exactly one key is set; `ck_<table>_<attribute>` by default. */
  checkName?: string;
  /** How each target's relationship loads when the query does not say (see `RelationshipOptions.lazy`). */
  lazy?: LazyStrategy;
}

/**
 * What `db.polymorphicRelationship` declares: the union of its targets (`Post | Photo | null` on
 * the instance; `PolymorphicAttribute` on the class, for loader options).
 *
 * @example
 * ```ts
 * import type { PolymorphicDecl } from 'relata';
 *
 * const decl: PolymorphicDecl<Post | User> = db.polymorphicRelationship<{ post: Post; user: User }>({
 *   post: 'Post',
 *   user: 'User',
 * });
 * ```
 */
export class PolymorphicDecl<T = unknown> extends AttributeDecl<
  Related<T | null>,
  PolymorphicAttribute<string, T | null>,
  T | null
> {
  private group: PolymorphicGroup | null = null;

  constructor(
    /** The targets by name: each gives the relationship `<attribute>.<name>` its target model. */
    readonly targets: Readonly<Record<string, string | (() => AnyModelClass)>>,
    /** The options it was declared with. */
    readonly options: PolymorphicOptions = {},
  ) {
    super();
  }

  install(mapper: Mapper, key: string): void {
    if (this.group)
      throw new MappingError(
        `${mapper.name}.${key}: this db.polymorphicRelationship(...) is already ${this.group.name}; declare one per attribute`,
      );
    this.group = new PolymorphicGroup(mapper, key, this);
  }

  override acceptsInit(): boolean {
    return true;
  }

  /** @internal The member targeting `parent`: what `backPopulates: '<attribute>'` on that model links to. */
  reverseFor(parent: Mapper, via: string): RelationshipProperty {
    return this.group!.memberFor(parent, via);
  }
}

/** One target's many-to-one of a polymorphic relationship; tells its group when it is configured. */
class MemberProperty extends RelationshipProperty {
  constructor(
    parent: Mapper,
    key: string,
    decl: RelationshipDecl,
    readonly group: PolymorphicGroup,
  ) {
    super(parent, key, decl);
    this.polymorphic = group;
  }

  override configure(): void {
    super.configure();
    this.group.memberConfigured(this);
  }
}

/** The members of one polymorphic relationship and the union attribute over them. */
class PolymorphicGroup implements PolymorphicLink {
  readonly members: MemberProperty[];
  private readonly configured = new Set<MemberProperty>();
  private checked = false;

  constructor(
    readonly mapper: Mapper,
    readonly key: string,
    readonly decl: PolymorphicDecl,
  ) {
    const names = Object.keys(decl.targets);
    if (names.length < 2)
      throw new MappingError(
        `${this.name}: db.polymorphicRelationship needs two targets or more (got ${names.length}); for one target use db.relationship`,
      );
    this.members = names.map((n) => {
      const target = decl.targets[n];
      if (typeof target !== 'string' && typeof target !== 'function')
        throw new MappingError(`${this.name}: target '${n}' must be a model name or a thunk returning its class`);
      const options = { uselist: false as const, ...(decl.options.lazy !== undefined && { lazy: decl.options.lazy }) };
      const member = new MemberProperty(mapper, `${key}.${n}`, new RelationshipDecl(target, options), this);
      if (mapper.relationships.has(member.key) || mapper.columnsByKey.has(member.key))
        throw new MappingError(`${this.name}: '${member.key}' is declared twice`);
      mapper.relationships.set(member.key, member);
      return member;
    });
    mapper.attributes.set(
      key,
      new PolymorphicAttribute(
        this.members.map((m) => m.attribute),
        key,
      ),
    );
    this.defineAccessor();
  }

  get name(): string {
    return `${this.mapper.name}.${this.key}`;
  }

  private defineAccessor(): void {
    const read = (st: InstanceState) => this.read(st);
    const write = (st: InstanceState, value: unknown) => this.write(st, value);
    Object.defineProperty(this.mapper.base.prototype, this.key, {
      enumerable: true,
      configurable: true,
      get(this: { [STATE]: InstanceState }) {
        return read(this[STATE]);
      },
      set(this: { [STATE]: InstanceState }, value: unknown) {
        write(this[STATE], value);
      },
    });
  }

  /** Called by each member once configured: with all of them, checks them and adds the CHECK. */
  memberConfigured(member: MemberProperty): void {
    this.configured.add(member);
    if (this.checked || this.configured.size < this.members.length) return;
    checkMembers(this.name, this.key, this.members, this.decl.options.checkName);
    this.checked = true;
  }

  memberFor(parent: Mapper, via: string): RelationshipProperty {
    for (const m of this.members) m.configure();
    const member = this.members.find((m) => m.target === parent);
    if (!member)
      throw new MappingError(
        `relationship ${via}: backPopulates '${this.key}' is the polymorphic relationship ${this.name}, ` +
          `whose targets are ${this.targetNames()}, not ${parent.name}: add ${parent.name} to its targets`,
      );
    return member;
  }

  private targetNames(): string {
    return this.members.map((m) => m.target.name).join(', ');
  }

  /**
   * The parent: the member whose value is loaded, else the one whose key is set (awaitable: one
   * SELECT on that table, none when the identity map has it), else null without SQL.
   */
  read(st: InstanceState): unknown {
    this.mapper.registry.configure();
    let unloaded: MemberProperty | null = null;
    for (const m of this.members) {
      if (st.isLoaded(m.key)) {
        const v = st.rel![m.key];
        if (v) return v;
      } else if (st.status === 'persistent' && unloaded === null && keySet(m, st)) unloaded = m;
    }
    return unloaded ? unloaded.unloaded(st) : null;
  }

  /** `comment.commentable = photo`: the member for photo's model is set, every other cleared. */
  write(st: InstanceState, value: unknown): void {
    this.mapper.registry.configure();
    if (value === null) {
      for (const m of this.members) this.clear(m, st);
      return;
    }
    const member = this.members.find((m) => m.target.owns(value));
    if (!member) {
      const got =
        value === undefined || typeof value !== 'object' ? String(value) : (value.constructor?.name ?? 'an object');
      throw new ArgumentError(`${this.name} holds ${this.targetNames()} objects (or null), got ${got}`);
    }
    member.set(st, value);
    this.linked(member, st);
  }

  linked(member: RelationshipProperty, st: InstanceState): void {
    for (const m of this.members) if (m !== member) this.clear(m, st);
  }

  /**
   * `member` no longer refers to anything: its key is cleared at flush, and the object it referred
   * to (when in memory) loses `st` from its collection, without SQL.
   */
  private clear(member: MemberProperty, st: InstanceState): void {
    st.rel ??= {};
    const loaded = st.isLoaded(member.key);
    const set = keySet(member, st);
    let previous: unknown = loaded ? st.rel[member.key] : null;
    if (!loaded && set && st.status === 'persistent') previous = targetInIdentityMap(member, st) ?? NOT_LOADED;
    st.rel[member.key] = null;
    if (!set && !previous) return;
    noteScalarChange(member, st, previous === NOT_LOADED ? null : previous);
    if (previous && previous !== NOT_LOADED && member.reverse)
      member.reverse.detachQuietly(stateOf(previous as object)!, st.obj);
  }
}

/** Whether `st`'s foreign key of `member` holds a value. */
function keySet(member: RelationshipProperty, st: InstanceState): boolean {
  return member.pairs.some((p) => {
    const v = st.v[member.parent.columnsByColumn.get(p.local)!.key];
    return v !== null && v !== undefined;
  });
}

/**
 * A polymorphic association (also `db.polymorphicRelationship`): the object belongs to exactly one
 * of several models (a comment on a post or on a photo). The type argument maps each target's name
 * to its model; the attribute is their union or null. The model declares one nullable foreign key
 * column per target; `createAll` adds a CHECK that exactly one is set. Each target declares the
 * other side as an ordinary one-to-many with `backPopulates` naming this attribute.
 *
 * @example
 * ```ts
 * import { polymorphicRelationship } from 'relata';
 *
 * class Note extends db.Model('Note', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   body: db.Column(db.Text, { nullable: false }),
 *   postId: db.Column(db.Integer, db.ForeignKey('post.id', { ondelete: 'CASCADE' })),
 *   userId: db.Column(db.Integer, db.ForeignKey('user.id', { ondelete: 'CASCADE' })),
 *   about: polymorphicRelationship<{ post: Post; user: User }>({ post: 'Post', user: 'User' }),
 * }) {}
 * const note = new Note({ body: 'nice', about: post }); // note.postId is set at flush, userId stays NULL
 * const about = await note.about; // Post | User | null
 * ```
 */
export function polymorphicRelationship<M extends Record<string, object>>(
  targets: PolymorphicTargets<M>,
  options: PolymorphicOptions = {},
): PolymorphicDecl<M[keyof M]> {
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets))
    throw new ArgumentError(
      "polymorphicRelationship() takes an object of targets: { post: 'Post', photo: 'Photo' }, got " + typeof targets,
    );
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('polymorphicRelationship() options must be an object');
  for (const k of Object.keys(options)) {
    if (k !== 'checkName' && k !== 'lazy')
      throw new ArgumentError(`polymorphicRelationship(): unknown option '${k}' (options: checkName, lazy)`);
  }
  return new PolymorphicDecl<M[keyof M]>(targets as Readonly<Record<string, string | (() => AnyModelClass)>>, options);
}
