/**
 * Seed § Many-to-Many.
 *
 *   post_tags = db.Table('post_tags',
 *       db.Column('post_id', db.Integer, db.ForeignKey('post.id')),
 *       db.Column('tag_id', db.Integer, db.ForeignKey('tag.id'))
 *   )
 *
 *   class Post(db.Model):
 *       id = db.Column(db.Integer, primary_key=True)
 *       tags = db.relationship('Tag', secondary=post_tags, backref='posts')
 *
 *   class Tag(db.Model):
 *       id = db.Column(db.Integer, primary_key=True)
 *       name = db.Column(db.String(50), unique=True)
 */
import type { Database, Related } from '../../src/index.js';

export function manyToManyModels(db: Database) {
  const post_tags = db.Table(
    'post_tags',
    db.Column('post_id', db.Integer, db.ForeignKey('post.id')),
    db.Column('tag_id', db.Integer, db.ForeignKey('tag.id')),
  );

  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    tags: db.relationship<Tag>('Tag', { secondary: post_tags, backref: 'posts' }),
  }) {}

  class Tag extends db.Model('Tag', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { unique: true }),
  }) {
    declare posts: Related<Post[]>;
  }

  return { Post, Tag, post_tags };
}

/** "Now post.tags and tag.posts both work seamlessly." */
export async function manyToMany(db: Database, log: (line: string) => void = console.log) {
  const { Post, Tag } = manyToManyModels(db);
  await db.createAll();

  const python = new Tag({ name: 'python' });
  const typescript = new Tag({ name: 'typescript' });
  const orm = new Tag({ name: 'orm' });
  const first = new Post({ tags: [typescript, orm] });
  const second = new Post({ tags: [python, orm] });
  db.session.addAll([first, second]);
  await db.session.commit(); // one INSERT per table, then the association rows

  const session = db.newSession();
  const post = (await session.get(Post, first.id))!;
  const tags = await post.tags;
  const tagNames = tags.map((t) => t.name);
  log(`post.tags → ${tagNames.join(', ')}`);
  const ormTag = (await session.query(Tag).filterBy({ name: 'orm' }).one())!;
  const ormPostIds = (await ormTag.posts).map((p) => p.id);
  log(`tag.posts → posts ${ormPostIds.join(', ')}`);

  // Removing a tag deletes its row from post_tags at flush; the Tag itself stays.
  // (In memory the other side follows at once: the post leaves ormTag.posts too.)
  tags.splice(
    tags.findIndex((t) => t.name === 'orm'),
    1,
  );
  await session.commit();
  const after = await db.newSession().get(Post, first.id);
  const remaining = (await after!.tags).map((t) => t.name);
  log(`after removing 'orm' → ${remaining.join(', ')}`);
  await session.close();

  return {
    tagNames: tagNames.sort(),
    postsTaggedOrm: ormPostIds.sort(),
    tagsAfterRemove: remaining,
  };
}
