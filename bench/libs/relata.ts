/**
 * Relata, from this checkout's source, with its identity map and unit of work on: every op runs in
 * a fresh Session (one unit of work per op) that is committed or closed at the end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database, joinedload, selectinload } from '../../src/index.js';
import { ROOT } from '../data.js';
import { LOOKUP_IDS, LOOKUP_MANAGED_IDS, LOOKUP_POST_IDS, PAGE, W3_IDS, w2Name, type Adapter, type AdapterContext, type OpFn, type OpId } from '../workloads.js';

export async function open(ctx: AdapterContext): Promise<Adapter> {
  const url = ctx.db === 'sqlite' ? `sqlite:///${ctx.target}` : ctx.target;
  const db = new Database(url, { nPlusOne: 'off' });

  const postTags = db.Table(
    'post_tags',
    db.Column('post_id', db.Integer, db.ForeignKey('posts.id'), { primaryKey: true }),
    db.Column('tag_id', db.Integer, db.ForeignKey('tags.id'), { primaryKey: true }),
  );
  const playlistTracks = db.Table(
    'playlist_tracks',
    db.Column('playlist_id', db.Integer, db.ForeignKey('playlists.id'), { primaryKey: true }),
    db.Column('track_id', db.Integer, db.ForeignKey('tracks.id'), { primaryKey: true }),
  );

  class User extends db.Model('User', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(80), { nullable: false }),
    email: db.Column(db.String(120)),
    managerId: db.Column(db.Integer, db.ForeignKey('users.id'), { name: 'manager_id' }),
    posts: db.relationship<Post>('Post', { backPopulates: 'author', cascade: 'all, delete-orphan', passiveDeletes: true }),
    profile: db.relationship<Profile>('Profile', { uselist: false, cascade: 'all, delete-orphan', passiveDeletes: true }),
    manager: db.relationship<User>('User', { uselist: false, remoteSide: 'id' }),
  }, { tableName: 'users' }) {}

  class Profile extends db.Model('Profile', {
    id: db.Column(db.Integer, { primaryKey: true }),
    userId: db.Column(db.Integer, db.ForeignKey('users.id'), { nullable: false, name: 'user_id' }),
    bio: db.Column(db.Text),
  }, { tableName: 'profiles' }) {}

  class Post extends db.Model('Post', {
    id: db.Column(db.Integer, { primaryKey: true }),
    userId: db.Column(db.Integer, db.ForeignKey('users.id'), { nullable: false, name: 'user_id' }),
    title: db.Column(db.String(200), { nullable: false }),
    body: db.Column(db.Text),
    author: db.relationship<User>('User', { backPopulates: 'posts', uselist: false }),
    tags: db.relationship<Tag>('Tag', { secondary: postTags, passiveDeletes: true }),
    comments: db.relationship<Comment>('Comment', { cascade: 'all, delete-orphan', passiveDeletes: true }),
  }, { tableName: 'posts' }) {}

  class Tag extends db.Model('Tag', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false }),
  }, { tableName: 'tags' }) {}

  class Comment extends db.Model('Comment', {
    id: db.Column(db.Integer, { primaryKey: true }),
    postId: db.Column(db.Integer, db.ForeignKey('posts.id'), { nullable: false, name: 'post_id' }),
    userId: db.Column(db.Integer, db.ForeignKey('users.id'), { nullable: false, name: 'user_id' }),
    body: db.Column(db.Text, { nullable: false }),
  }, { tableName: 'comments' }) {}

  class Track extends db.Model('Track', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(200), { nullable: false }),
    albumId: db.Column(db.Integer, { name: 'album_id' }),
    genreId: db.Column(db.Integer, { name: 'genre_id' }),
    composer: db.Column(db.String(220)),
    milliseconds: db.Column(db.Integer, { nullable: false }),
    unitPrice: db.Column(db.Float, { nullable: false, name: 'unit_price' }),
  }, { tableName: 'tracks' }) {}

  class Invoice extends db.Model('Invoice', {
    id: db.Column(db.Integer, { primaryKey: true }),
    customerId: db.Column(db.Integer, { nullable: false, name: 'customer_id' }),
    invoiceDate: db.Column(db.String(30), { nullable: false, name: 'invoice_date' }),
    total: db.Column(db.Float, { nullable: false }),
    lines: db.relationship<InvoiceLine>('InvoiceLine', { backPopulates: 'invoice' }),
  }, { tableName: 'invoices' }) {}

  class InvoiceLine extends db.Model('InvoiceLine', {
    id: db.Column(db.Integer, { primaryKey: true }),
    invoiceId: db.Column(db.Integer, db.ForeignKey('invoices.id'), { nullable: false, name: 'invoice_id' }),
    trackId: db.Column(db.Integer, db.ForeignKey('tracks.id'), { nullable: false, name: 'track_id' }),
    unitPrice: db.Column(db.Float, { nullable: false, name: 'unit_price' }),
    quantity: db.Column(db.Integer, { nullable: false }),
    invoice: db.relationship<Invoice>('Invoice', { backPopulates: 'lines', uselist: false }),
    track: db.relationship<Track>('Track', { uselist: false }),
  }, { tableName: 'invoice_lines' }) {}

  class Playlist extends db.Model('Playlist', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(120)),
    tracks: db.relationship<Track>('Track', { secondary: playlistTracks }),
  }, { tableName: 'playlists' }) {}

  void Profile;
  void Tag;
  void Comment;

  /** Runs `fn` in a fresh session and closes it (a read-only unit of work). */
  async function inSession<T>(fn: (s: ReturnType<typeof db.newSession>) => Promise<T>): Promise<T> {
    const s = db.newSession();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  }

  const page = (s: ReturnType<typeof db.newSession>) => s.query(User).orderBy(User.id).limit(PAGE.limit).offset(PAGE.offset);

  const ops: Partial<Record<OpId, OpFn>> = {
    'R1-joined': () => inSession((s) => s.query(User).options(joinedload(User.posts)).all()),
    'R1-selectin': () => inSession((s) => s.query(User).options(selectinload(User.posts)).all()),
    'R2-page': () => inSession((s) => page(s).options(selectinload(User.posts)).all()),
    'R3-lazy': () =>
      inSession(async (s) => {
        const out: [User, Post[]][] = [];
        for (const u of await page(s).all()) out.push([u, await u.posts]);
        return out;
      }),
    'R3-eager': () => inSession((s) => page(s).options(selectinload(User.posts)).all()),
    'R4-by-id': () =>
      inSession(async (s) => {
        const out: User[] = [];
        for (const id of LOOKUP_IDS) out.push((await s.get(User, id))!);
        return out;
      }),
    'R4-many-to-one': () =>
      inSession(async (s) => {
        const out: Post[] = [];
        for (const id of LOOKUP_POST_IDS) out.push(await s.query(Post).options(joinedload(Post.author)).filter(Post.id.eq(id)).one());
        return out;
      }),
    'R4-self-ref': () =>
      inSession(async (s) => {
        const out: User[] = [];
        for (const id of LOOKUP_MANAGED_IDS) out.push(await s.query(User).options(joinedload(User.manager)).filter(User.id.eq(id)).one());
        return out;
      }),
    'R5-two-levels': () => inSession((s) => s.query(Invoice).options(selectinload(Invoice.lines).joinedload(InvoiceLine.track)).all()),
    'R6-many-to-many': () => inSession((s) => s.query(Playlist).options(selectinload(Playlist.tracks)).all()),
    'R7-identity-map': () =>
      inSession(async (s) => {
        await s.query(User).options(selectinload(User.posts)).all();
        return s.query(User).options(selectinload(User.posts)).all();
      }),
    'W1-insert': async ({ newUsers }) => {
      const s = db.newSession();
      s.addAll(newUsers.map((u) => new User({ name: u.name, email: u.email, posts: u.posts.map((p) => new Post({ title: p.title, body: p.body })) })));
      await s.commit();
      await s.close();
    },
    'W2-update': async ({ tag }) => {
      const s = db.newSession();
      for (const u of await s.query(User).all()) if (u.id % 10 === 0) u.name = w2Name(u.id, tag);
      await s.commit();
      await s.close();
    },
    'W3-delete-cascade': async () => {
      // SQLAlchemy 2.0's ORM-enabled DELETE: one statement, the database's ON DELETE CASCADE removes
      // the posts, and objects of this session's identity map (none here) would leave it.
      const s = db.newSession();
      await s.execute(db.delete(User).where(User.id.in(W3_IDS)));
      await s.commit();
      await s.close();
    },
  };
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
  return {
    name: 'relata',
    version: `${version} (this checkout)`,
    ops,
    notes: {
      'W1-insert':
        'one flush: a multi-row INSERT per table; on SQLite without RETURNING (keys from the rowids), after one schema read per table the first time a connection inserts into it (counted: 4 statements)',
      'W3-delete-cascade': '`session.execute(db.delete(User).where(User.id.in(ids)))` (ORM-enabled bulk DELETE); the foreign key\'s ON DELETE CASCADE removes the posts',
    },
    close: () => db.close(),
  };
}
