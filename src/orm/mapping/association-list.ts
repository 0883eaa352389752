/**
 * The value of a loaded association proxy (`user.keywords` through `user.userKeywords`): a real
 * array of the proxied values whose mutating methods write through to the underlying collection,
 * creating association objects with the proxy's creator and removing them, so the normal cascade
 * flushes them (SQLAlchemy's _AssociationList).
 */

/** What the list needs from its proxy: the underlying collection, making and reading members. */
export interface ProxySource<V> {
  /** `Model.key`, as messages name the proxy. */
  readonly name: string;
  /** The owner's underlying collection (loaded: the list exists only when it is). */
  collection(owner: object): object[];
  /** A new association object for `value` (the creator). */
  create(value: V): object;
}

/**
 * A loaded association proxy (`user.keywords`): a real array of the proxied values. `push`, `unshift`,
 * `splice`, `pop`, `shift` and `remove` create or remove the association objects in the underlying
 * collection (`user.userKeywords`), which the next flush writes. It is a view taken when read: after
 * changing the underlying collection directly, read the proxy again.
 *
 * @example
 * ```ts
 * import { AssociationList, Database } from 'relata';
 *
 * const db = new Database();
 * class Keyword extends db.Model('Keyword', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   word: db.Column(db.String(40), { nullable: false }),
 * }) {}
 * class Writer extends db.Model('Writer', {
 *   id: db.Column(db.Integer, { primaryKey: true }),
 *   links: db.relationship<WriterKeyword>('WriterKeyword', { cascade: 'all, delete-orphan' }),
 *   keywords: db.associationProxy<WriterKeyword, 'keyword'>('links', 'keyword'),
 * }) {}
 * class WriterKeyword extends db.Model('WriterKeyword', {
 *   writerId: db.Column(db.Integer, db.ForeignKey('writer.id'), { primaryKey: true }),
 *   keywordId: db.Column(db.Integer, db.ForeignKey('keyword.id'), { primaryKey: true }),
 *   keyword: db.relationship<Keyword>('Keyword', { uselist: false }),
 * }) {}
 * const writer = new Writer();
 * const keywords = writer.keywords as AssociationList<Keyword>; // a new object's proxy is loaded (empty)
 * keywords.push(new Keyword({ word: 'orm' })); // adds a WriterKeyword to writer.links
 * ```
 */
export class AssociationList<V> extends Array<V> {
  /** map/filter/slice return plain arrays, not proxies. */
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  #source!: ProxySource<V>;
  #owner!: object;
  /** The association object behind each value, index for index. */
  #members!: object[];

  /** @internal The proxy of `owner` over `members`, each read as its value. */
  static of_<V>(
    source: ProxySource<V>,
    owner: object,
    members: readonly object[],
    values: readonly V[],
  ): AssociationList<V> {
    const list = new AssociationList<V>(values.length);
    for (let i = 0; i < values.length; i++) list[i] = values[i]!;
    list.#source = source;
    list.#owner = owner;
    list.#members = [...members];
    return list;
  }

  /** The proxied values as JSON: a plain array. */
  toJSON(): V[] {
    return [...this];
  }

  override push(...values: V[]): number {
    const made = values.map((v) => this.#source.create(v));
    this.#source.collection(this.#owner).push(...made);
    this.#members.push(...made);
    return super.push(...values);
  }

  override unshift(...values: V[]): number {
    const made = values.map((v) => this.#source.create(v));
    this.#source.collection(this.#owner).push(...made);
    this.#members.unshift(...made);
    return super.unshift(...values);
  }

  override pop(): V | undefined {
    if (this.length === 0) return undefined;
    return this.splice(this.length - 1, 1)[0];
  }

  override shift(): V | undefined {
    if (this.length === 0) return undefined;
    return this.splice(0, 1)[0];
  }

  override splice(start: number, deleteCount?: number, ...values: V[]): V[] {
    const made = values.map((v) => this.#source.create(v));
    const count = deleteCount ?? this.length;
    const gone = this.#members.splice(start, count, ...made);
    const collection = this.#source.collection(this.#owner);
    for (const m of gone) removeFrom(collection, m);
    if (made.length > 0) collection.push(...made);
    return super.splice(start, count, ...values);
  }

  /** Removes the first association object whose value is `value` (SQLAlchemy's `remove`). Returns whether one was there. */
  remove(value: V): boolean {
    const i = this.indexOf(value);
    if (i < 0) return false;
    this.splice(i, 1);
    return true;
  }
}

function removeFrom(collection: object[], member: object): void {
  const i = collection.indexOf(member);
  if (i >= 0) collection.splice(i, 1);
}
