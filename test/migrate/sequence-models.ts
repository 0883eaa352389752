/**
 * A small app's models through six versions, for the migration sequence test (issue 13, "How it is
 * shown", first bullet): each version is declared on its own Database, as a team's models module
 * would read after that week's change.
 *
 *  v1: user(id, name), post(id, user_id → user, title)
 *  v2: user.email (nullable, UNIQUE), post.summary, an index on post.title
 *  v3: post.title NOT NULL with a server default, a CHECK on post, post.summary dropped
 *  v4: post_revision (composite primary key), review (composite FK to it), tag and post_tags
 *  v5: user.name renamed user.full_name
 *  v6: review.score, digits in a String, becomes an Integer
 */
import type { Database } from '../../src/index.js';

/** The versions, in order. */
export const VERSIONS = [1, 2, 3, 4, 5, 6] as const;
export type Version = (typeof VERSIONS)[number];

/** Declares version `n`'s models on `db`. */
export function declareVersion(db: Database, n: Version) {
  class User extends db.Model('User', {
    id: db.Column(db.Integer, { primaryKey: true }),
    // v5 renames the column; the attribute keeps its name so every version's rows read alike.
    name:
      n >= 5
        ? db.Column('full_name', db.String(80), { nullable: false })
        : db.Column(db.String(80), { nullable: false }),
    ...(n >= 2 && { email: db.Column(db.String(120), { unique: true }) }),
  }) {}

  class Post extends db.Model(
    'Post',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      user_id: db.Column(db.Integer, db.ForeignKey('user.id'), { nullable: false }),
      title:
        n >= 3
          ? db.Column(db.String(200), { nullable: false, serverDefault: "'untitled'", index: true })
          : db.Column(db.String(200), { index: n >= 2 }),
      ...(n === 2 && { summary: db.Column(db.Text) }),
      ...(n >= 4 && {
        tags: db.relationship<Tag>('Tag', { secondary: 'post_tags' }),
      }),
    },
    { tableArgs: n >= 3 ? [db.CheckConstraint('length(title) > 0', { name: 'ck_post_title' })] : [] },
  ) {}

  if (n < 4) return { User, Post };

  const postTags = db.Table(
    'post_tags',
    db.Column('post_id', db.Integer, db.ForeignKey('post.id')),
    db.Column('tag_id', db.Integer, db.ForeignKey('tag.id')),
  );

  class Tag extends db.Model('Tag', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(40), { nullable: false, unique: true }),
  }) {}

  class PostRevision extends db.Model(
    'PostRevision',
    {
      post_id: db.Column(db.Integer, db.ForeignKey('post.id')),
      rev: db.Column(db.Integer),
      body: db.Column(db.Text),
    },
    { tableArgs: [db.PrimaryKeyConstraint(['post_id', 'rev'])] },
  ) {}

  class Review extends db.Model(
    'Review',
    {
      id: db.Column(db.Integer, { primaryKey: true }),
      post_id: db.Column(db.Integer, { nullable: false }),
      rev: db.Column(db.Integer, { nullable: false }),
      // Digits in a String until v6 makes it an Integer.
      score: n >= 6 ? db.Column(db.Integer) : db.Column(db.String(10)),
    },
    {
      tableArgs: [
        db.ForeignKeyConstraint(['post_id', 'rev'], ['post_revision.post_id', 'post_revision.rev'], {
          name: 'fk_review_revision',
        }),
      ],
    },
  ) {}

  return { User, Post, Tag, PostRevision, Review, postTags };
}
