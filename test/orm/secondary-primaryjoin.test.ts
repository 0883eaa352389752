/**
 * `primaryJoin` together with `secondary` used to be ignored: the many-to-many joined through the
 * association table alone and returned rows the condition excludes. It is now the condition from
 * the parent to the association table (SQLAlchemy's primaryjoin), its extra criteria applied to
 * every load; one without the equality that joins them is refused when the mappers are configured,
 * before any SQL runs, so no wrong row is ever returned.
 */
import { afterEach, expect } from 'vitest';
import { Database, MappingError, and_, selectinload, type ColumnElement } from '../../src/index.js';
import { Insert } from '../../src/sql/dml.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function models(db: Database, withEquality = false) {
  const postTags = db.Table(
    'post_tags',
    db.Column('post_id', db.Integer, db.ForeignKey('post.id')),
    db.Column('tag_id', db.Integer, db.ForeignKey('tag.id')),
  );
  class Tag extends db.Model('Tag', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
    visible: db.Column(db.Boolean, { nullable: false }),
  }) {}
  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    title: db.Column(db.String(50), { nullable: false }),
    visibleTags: db.relationship(() => Tag, {
      secondary: postTags,
      primaryJoin: withEquality
        ? (): ColumnElement<boolean> => and_(postTags.c.post_id!.eq(Post.id), Tag.visible.eq(true))
        : () => Tag.visible.eq(true),
    }),
  }) {}
  return { Post, Tag, postTags };
}

/** Creates the tables and rows with Core statements, which never configure the mappers. */
async function seedWithoutConfiguring(db: Database): Promise<void> {
  const tables = db.registry.metadata.sortedTables();
  for (const t of tables) {
    for (const sql of db.engine.dialect.compiler.createTable(t, true)) await db.engine.execute({ sql, params: [] });
  }
  const table = (name: string) => db.registry.metadata.tables.get(name)!;
  const insert = (name: string, rows: unknown[][]) =>
    db.engine.execute(new Insert(table(name), table(name).columns, rows));
  await insert('tag', [
    [1, 'shown', true],
    [2, 'hidden', false],
  ]);
  await insert('post', [[1, 'hello']]);
  await insert('post_tags', [
    [1, 1],
    [1, 2],
  ]);
}

describeEachDialect('primaryJoin with secondary', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) {
      for (const table of db.registry.metadata.sortedTables().reverse()) {
        await db.engine.execute({
          sql: `DROP TABLE IF EXISTS ${db.engine.dialect.compiler.quote(table.name)}`,
          params: [],
        });
      }
      await db.close();
    }
  });

  it('is refused at configure time, naming the relationship and what to use, before any SQL', async () => {
    const db = new Database(t.url);
    dbs.push(db);
    const { Post } = models(db); // declaring alone does not configure: nothing is refused yet
    await seedWithoutConfiguring(db);
    const statements: string[] = [];
    db.onStatement((e) => statements.push(e.sql));

    const refusal =
      /relationship Post\.visibleTags: primaryJoin has no equality between a column of post and a column of post_tags/;
    await expect(Post.query.all()).rejects.toThrow(MappingError);
    await expect(Post.query.all()).rejects.toThrow(refusal);
    expect(() => Post.query.options(selectinload(Post.visibleTags))).toThrow(refusal);
    expect(() => Post.visibleTags.any()).toThrow(refusal);
    await expect(db.createAll()).rejects.toThrow(refusal);
    // No statement reached the database, so no row (right or wrong) was returned.
    expect(statements).toEqual([]);
  });

  it('with the equality, its extra condition filters every load: only the visible tag', async () => {
    const db = new Database(t.url);
    dbs.push(db);
    const { Post } = models(db, true);
    await seedWithoutConfiguring(db);
    const post = (await db.newSession().query(Post).one())!;
    expect((await post.visibleTags).map((x) => x.name)).toEqual(['shown']);
    const [eager] = await db.newSession().query(Post).options(selectinload(Post.visibleTags)).all();
    expect(eager!.visibleTags.map((x) => x.name)).toEqual(['shown']);
    expect(await db.newSession().query(Post).filter(Post.visibleTags.any()).count()).toBe(1);
  });
});
