/**
 * The comments part of the content site: a comment stream over posts and photos (one query for
 * all comments, one SELECT per parent table for their parents), commenting, moving a comment and
 * deleting a parent.
 */
import { selectinload, type Database } from '../../src/index.js';
import type { ContentModels } from './models.js';

/** Posts and photos with a few comments each. */
export async function seedContent(db: Database, { Post, Photo, Comment }: ContentModels): Promise<void> {
  const s = db.newSession();
  const hello = new Post({ title: 'Hello world', comments: [new Comment({ body: 'First!' })] });
  const cat = new Photo({ url: 'cat.jpg', comments: [new Comment({ body: 'So cute' })] });
  const dog = new Photo({ url: 'dog.jpg' });
  s.add(hello);
  s.add(cat);
  s.add(dog);
  await s.commit();
  // A comment given its parent directly: the union attribute sets postId or photoId.
  s.add(new Comment({ body: 'Good boy', commentable: dog }));
  s.add(new Comment({ body: 'Welcome', commentable: hello }));
  await s.commit();
  await s.close();
}

/** What each comment is on, newest first: `['Welcome', 'post Hello world'], …`. */
export async function commentStream(db: Database, { Post, Comment }: ContentModels): Promise<[string, string][]> {
  const s = db.newSession();
  try {
    const comments = await s.query(Comment).options(selectinload(Comment.commentable)).orderBy(Comment.id.desc()).all();
    return comments.map((c) => {
      const parent = c.commentable; // loaded by the option: no await
      return [c.body, parent instanceof Post ? `post ${parent.title}` : `photo ${parent?.url ?? '?'}`];
    });
  } finally {
    await s.close();
  }
}

/** Moves the comment `body` onto the photo `url`: its photoId is set and its postId cleared, in one UPDATE. */
export async function moveComment(db: Database, { Photo, Comment }: ContentModels, body: string, url: string) {
  const s = db.newSession();
  try {
    const comment = await s.query(Comment).filter(Comment.body.eq(body)).one();
    const photo = await s.query(Photo).filter(Photo.url.eq(url)).one();
    (await photo.comments).push(comment);
    await s.commit();
  } finally {
    await s.close();
  }
}

/** Deletes the post or photo a comment is on; its comments go with it. */
export async function deleteParentOf(db: Database, { Comment }: ContentModels, body: string): Promise<void> {
  const s = db.newSession();
  try {
    const comment = await s.query(Comment).filter(Comment.body.eq(body)).one();
    const parent = await comment.commentable;
    if (parent) s.delete(parent);
    await s.commit();
  } finally {
    await s.close();
  }
}
