// The blog models every `@example` of the API reference may use without declaring them (see
// .ci/api-docs-check.mjs): `db`, `session`, the models `User`, `Post`, `Tag`, `Profile`, `Account`,
// the association table `post_tags`, and one loaded object of each (`user`, `post`, `tag`).
// An example that declares one of these names itself uses its own.
import { Database, type Related } from 'relata';

export const db = new Database();

export const post_tags = db.Table(
  'post_tags',
  db.Column('post_id', db.Integer, db.ForeignKey('post.id')),
  db.Column('tag_id', db.Integer, db.ForeignKey('tag.id')),
);

export class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  username: db.Column(db.String(80), { unique: true, nullable: false }),
  email: db.Column(db.String(120)),
  posts: db.relationship<Post>('Post', { backPopulates: 'author' }),
  profile: db.relationship<Profile>('Profile', { backPopulates: 'user', uselist: false }),
}) {}

export class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(200), { nullable: false }),
  content: db.Column(db.Text),
  views: db.Column(db.Integer, { nullable: false, default: 0 }),
  userId: db.Column(db.Integer, db.ForeignKey('user.id')),
  author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
  tags: db.relationship<Tag>('Tag', { secondary: post_tags, backref: 'posts' }),
}) {}

export class Tag extends db.Model('Tag', {
  id: db.Column(db.Integer, { primaryKey: true }),
  name: db.Column(db.String(50), { unique: true, nullable: false }),
}) {
  declare posts: Related<Post[]>; // what the backref adds, for TypeScript
}

export class Profile extends db.Model('Profile', {
  id: db.Column(db.Integer, { primaryKey: true }),
  bio: db.Column(db.Text),
  userId: db.Column(db.Integer, db.ForeignKey('user.id'), { unique: true }),
  user: db.relationship<User>('User', { backPopulates: 'profile', uselist: false }),
}) {}

export class Account extends db.Model('Account', {
  id: db.Column(db.Integer, { primaryKey: true }),
  balance: db.Column(db.Integer, { nullable: false }), // cents
}) {}

export const session = db.session;
export declare const user: User;
export declare const post: Post;
export declare const tag: Tag;
