// The blog models of docs/getting-started.md ("Declare the models"), for the guides' code blocks that
// say `import { db, User, Post, Tag, Profile } from './models.js'`. Keep the two in step: the guides
// describe these models to the reader.
import { Database } from 'relata';

export const db = new Database('sqlite://');

export const post_tags = db.Table(
  'post_tags',
  db.Column('post_id', db.Integer, db.ForeignKey('post.id'), { primaryKey: true }),
  db.Column('tag_id', db.Integer, db.ForeignKey('tag.id'), { primaryKey: true }),
);

export class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  username: db.Column(db.String(80), { unique: true, nullable: false }),
  email: db.Column(db.String(120)),
  posts: db.relationship<Post>('Post', { backPopulates: 'author', orderBy: 'id' }),
  profile: db.relationship<Profile>('Profile', { backPopulates: 'user', uselist: false }),
}) {}

export class Post extends db.Model('Post', {
  id: db.Column(db.Integer, { primaryKey: true }),
  title: db.Column(db.String(200), { nullable: false }),
  content: db.Column(db.Text),
  user_id: db.Column(db.Integer, db.ForeignKey('user.id'), { nullable: false }),
  author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
  tags: db.relationship<Tag>('Tag', { secondary: post_tags, backPopulates: 'posts' }),
}) {}

export class Tag extends db.Model('Tag', {
  id: db.Column(db.Integer, { primaryKey: true }),
  name: db.Column(db.String(50), { unique: true, nullable: false }),
  posts: db.relationship<Post>('Post', { secondary: post_tags, backPopulates: 'tags' }),
}) {}

export class Profile extends db.Model('Profile', {
  id: db.Column(db.Integer, { primaryKey: true }),
  bio: db.Column(db.Text),
  user_id: db.Column(db.Integer, db.ForeignKey('user.id'), { unique: true }),
  user: db.relationship<User>('User', { backPopulates: 'profile', uselist: false }),
}) {}
