/**
 * The content-site example (examples/content-site) on every dialect: its comment stream, moving a
 * comment and deleting a parent, with the rows read back from a second Database and the statements
 * counted.
 */
import { afterEach, expect } from 'vitest';
import { Database } from '../../src/index.js';
import { commentStream, deleteParentOf, moveComment, seedContent } from '../../examples/content-site/comments.js';
import { contentModels } from '../../examples/content-site/models.js';
import { describeEachDialect, itOn } from '../support/databases.js';

describeEachDialect('examples/content-site: polymorphic comments', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const open = async () => {
    const db = new Database(t.url, { nPlusOne: 'raise' });
    const models = contentModels(db);
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    // A second Database on its own connections, to read what was committed (SQLite in memory has one).
    if (t.dialect === 'sqlite') return { db, models, reader: db, readModels: models };
    const reader = new Database(t.url);
    const readModels = contentModels(reader);
    dbs.unshift(reader); // closed before the one that drops the tables
    return { db, models, reader, readModels };
  };

  it('streams comments with their parents in 3 statements, moves one, deletes parents with their comments', async () => {
    const { db, models, reader, readModels } = await open();
    await seedContent(db, models);
    expect(await db.checkSchema()).toEqual([]);
    let stream: [string, string][] = [];
    const n = await db.countQueries(async () => {
      stream = await commentStream(db, models);
    });
    expect(n).toBe(3); // the comments, then the posts and the photos they are on
    expect(stream).toEqual([
      ['Welcome', 'post Hello world'],
      ['Good boy', 'photo dog.jpg'],
      ['So cute', 'photo cat.jpg'],
      ['First!', 'post Hello world'],
    ]);

    await moveComment(db, models, 'Welcome', 'cat.jpg');
    const { Comment } = readModels;
    const moved = await reader.newSession().query(Comment).filter(Comment.body.eq('Welcome')).one();
    const cat = await reader.newSession().query(readModels.Photo).filter(readModels.Photo.url.eq('cat.jpg')).one();
    expect([moved.postId, moved.photoId]).toEqual([null, cat.id]);

    await deleteParentOf(db, models, 'First!'); // the post: the ORM deletes its comment
    await deleteParentOf(db, models, 'So cute'); // a photo: ON DELETE CASCADE takes its two comments
    const left = await reader.newSession().query(Comment).all();
    expect(left.map((c) => c.body)).toEqual(['Good boy']);
  });
});
