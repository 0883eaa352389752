/**
 * The content site's models: posts and photos, and comments that belong to exactly one of them.
 * Each comment has one nullable foreign key per parent table and a CHECK (added by createAll) that
 * exactly one is set, so "a comment on a post that does not exist" cannot be stored.
 * (Tags with a write-only collection of posts are the other half of this example: to come.)
 */
import type { Database } from '../../src/index.js';

export function contentModels(db: Database) {
  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(200), { nullable: false }),
    // The comments go with their post: the ORM deletes them (they are loaded to be deleted).
    comments: db.relationship<Comment>('Comment', {
      backPopulates: 'commentable',
      cascade: 'all, delete-orphan',
      orderBy: 'id',
    }),
  }) {}

  class Photo extends db.Model('Photo', {
    id: db.Column(db.Integer, { primaryKey: true }),
    url: db.Column(db.String(200), { nullable: false }),
    // The database deletes a photo's comments (ON DELETE CASCADE), without loading them.
    comments: db.relationship<Comment>('Comment', {
      backPopulates: 'commentable',
      passiveDeletes: true,
      orderBy: 'id',
    }),
  }) {}

  class Comment extends db.Model('Comment', {
    id: db.Column(db.Integer, { primaryKey: true }),
    body: db.Column(db.Text, { nullable: false }),
    postId: db.Column(db.Integer, db.ForeignKey('post.id', { ondelete: 'CASCADE' })),
    photoId: db.Column(db.Integer, db.ForeignKey('photo.id', { ondelete: 'CASCADE' })),
    commentable: db.polymorphicRelationship<{ post: Post; photo: Photo }>({ post: 'Post', photo: 'Photo' }),
  }) {}

  return { Post, Photo, Comment };
}

export type ContentModels = ReturnType<typeof contentModels>;
