/**
 * Issue 12 item 2, serialization: `Serialized<T>` follows what was loaded, columns have their JSON
 * types, and pick/omit take only the model's attribute names (each `@ts-expect-error` must fail).
 */
import {
  Database,
  joinedload,
  selectinload,
  serialize,
  type Serialized,
  type SerializedModel,
  type SerializableKey,
  type JsonColumn,
} from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  username: db.Column(db.String(80), { nullable: false }),
  karma: db.Column(db.BigInteger, { nullable: false }),
  balance: db.Column(db.Numeric(10, 2)),
  joined: db.Column(db.DateTime, { nullable: false }),
  prefs: db.Column(db.JSONOf<{ theme: string }>()),
  posts: db.relationship<Post>('Post', { backPopulates: 'author' }),
  profile: db.relationship<Profile>('Profile', { uselist: false, backPopulates: 'user' }),
}) {
  greet(): string {
    return `hi ${this.username}`;
  }
}

class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(200), { nullable: false }),
  user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
  author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
}) {}

class Profile extends db.Model('Profile', {
  id: db.Column(db.Integer, { primaryKey: true }),
  user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
  user: db.relationship<User>('User', { backPopulates: 'profile', uselist: false }),
}) {}

export function columnsHaveTheirJsonTypes(user: User): void {
  const json = serialize(user);
  expectType<Equal<typeof json.id, number>>();
  expectType<Equal<typeof json.username, string>>();
  expectType<Equal<typeof json.karma, string>>(); // bigint → string
  expectType<Equal<typeof json.balance, string | null>>(); // decimal → string
  expectType<Equal<typeof json.joined, string>>(); // Date → ISO string
  expectType<Equal<typeof json.prefs, { theme: string } | null>>();
  // @ts-expect-error methods are not serialized
  void json.greet;
  // @ts-expect-error toJSON is not a key of the JSON
  void json.toJSON;
}

export function unloadedRelationshipsAreOptional(user: User): void {
  const json: Serialized<User> = serialize(user);
  const posts = json.posts;
  expectType<Equal<typeof posts, SerializedModel<Post>[] | undefined>>();
  // @ts-expect-error may be absent: the relationship may not have been loaded
  void json.posts.length;
  // @ts-expect-error may be absent
  void json.profile.id;
  void json.profile?.id;
}

export async function loadedRelationshipsAreThere(): Promise<void> {
  const users = await db.session.query(User).options(selectinload(User.posts), joinedload(User.profile)).all();
  const json = serialize(users);
  const title: string = json[0]!.posts[0]!.title; // loaded: no `?.`
  const profile = json[0]!.profile;
  expectType<Equal<typeof profile, SerializedModel<Profile> | null>>();
  void title;
  const one = await db.session.query(Post).options(joinedload(Post.author)).first();
  const postJson = serialize(one!);
  expectType<Equal<typeof postJson.author, SerializedModel<User> | null>>();
  expectType<Equal<typeof postJson.author, Serialized<User> | null>>();
}

export function pickAndOmitTakeAttributeNames(user: User, users: User[]): void {
  const picked = serialize(user, { pick: ['id', 'posts'] });
  expectType<Equal<keyof typeof picked, 'id' | 'posts'>>();
  const omitted = serialize(users, { omit: ['karma', 'balance'] });
  // @ts-expect-error omitted
  void omitted[0]!.karma;
  void omitted[0]!.username;
  // @ts-expect-error not an attribute of User
  serialize(user, { pick: ['pasword'] });
  // @ts-expect-error not an attribute of User
  serialize(users, { omit: ['greet'] });
  // @ts-expect-error not an option
  serialize(user, { only: ['id'] });
  expectType<
    Equal<SerializableKey<User>, 'id' | 'username' | 'karma' | 'balance' | 'joined' | 'prefs' | 'posts' | 'profile'>
  >();
}

export async function depthLimitsTheType(): Promise<void> {
  const user = (await db.session.query(User).options(selectinload(User.posts)).first())!;
  const flat = serialize(user, { depth: 0 });
  // @ts-expect-error depth 0: columns only
  void flat.posts;
  const one = serialize(user, { depth: 1 });
  void one.posts[0]!.title;
  // @ts-expect-error depth 1: the posts' relationships are not followed
  void one.posts[0]!.author;
  const any = serialize(user, { depth: 3 as number });
  void any.posts;
}

export function columnValuesAsJsonHasThem(): void {
  expectType<Equal<JsonColumn<bigint | null>, string | null>>();
  expectType<Equal<JsonColumn<Date>, string>>();
  expectType<Equal<JsonColumn<Uint8Array>, string>>(); // base64
  expectType<Equal<JsonColumn<number>, number>>();
}
