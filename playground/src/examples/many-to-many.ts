import type { Related } from 'relata';

const post_tags = db.Table('post_tags',
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
console.log('post.tags', tags);
const ormTag = (await session.query(Tag).filterBy({ name: 'orm' }).one())!;
console.log('tag.posts', await ormTag.posts);

// Removing a tag deletes its row from post_tags at flush; the Tag itself stays.
tags.splice(tags.findIndex((t) => t.name === 'orm'), 1);
await session.commit();
const after = await db.newSession().get(Post, first.id);
console.log("post.tags after removing 'orm'", await after!.tags);
