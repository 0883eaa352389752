/**
 * Sequelize 6 on sqlite3 (its SQLite driver) or pg. Model instances, no identity map.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { DataTypes, Op, Sequelize } from 'sequelize';
import { pkgVersion } from '../data.js';
import { LOOKUP_IDS, LOOKUP_MANAGED_IDS, LOOKUP_POST_IDS, PAGE, W3_IDS, w2Name, type Adapter, type AdapterContext, type OpFn, type OpId } from '../workloads.js';

export async function open(ctx: AdapterContext): Promise<Adapter> {
  const sequelize =
    ctx.db === 'sqlite'
      ? new Sequelize({ dialect: 'sqlite', storage: ctx.target, logging: false })
      : new Sequelize(ctx.target, { dialect: 'postgres', logging: false, pool: { max: 1 } });
  const pk = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true };
  const opts = { timestamps: false };
  const User = sequelize.define('User', {
    id: pk,
    name: { type: DataTypes.STRING, allowNull: false },
    email: DataTypes.STRING,
    managerId: { type: DataTypes.INTEGER, field: 'manager_id' },
  }, { ...opts, tableName: 'users' });
  const Post = sequelize.define('Post', {
    id: pk,
    userId: { type: DataTypes.INTEGER, field: 'user_id', allowNull: false },
    title: { type: DataTypes.STRING, allowNull: false },
    body: DataTypes.TEXT,
  }, { ...opts, tableName: 'posts' });
  const Track = sequelize.define('Track', {
    id: pk,
    name: DataTypes.STRING,
    albumId: { type: DataTypes.INTEGER, field: 'album_id' },
    genreId: { type: DataTypes.INTEGER, field: 'genre_id' },
    composer: DataTypes.STRING,
    milliseconds: DataTypes.INTEGER,
    unitPrice: { type: DataTypes.DOUBLE, field: 'unit_price' },
  }, { ...opts, tableName: 'tracks' });
  const Invoice = sequelize.define('Invoice', {
    id: pk,
    customerId: { type: DataTypes.INTEGER, field: 'customer_id' },
    invoiceDate: { type: DataTypes.STRING, field: 'invoice_date' },
    total: DataTypes.DOUBLE,
  }, { ...opts, tableName: 'invoices' });
  const InvoiceLine = sequelize.define('InvoiceLine', {
    id: pk,
    invoiceId: { type: DataTypes.INTEGER, field: 'invoice_id' },
    trackId: { type: DataTypes.INTEGER, field: 'track_id' },
    unitPrice: { type: DataTypes.DOUBLE, field: 'unit_price' },
    quantity: DataTypes.INTEGER,
  }, { ...opts, tableName: 'invoice_lines' });
  const Playlist = sequelize.define('Playlist', { id: pk, name: DataTypes.STRING }, { ...opts, tableName: 'playlists' });
  const PlaylistTrack = sequelize.define('PlaylistTrack', {
    playlistId: { type: DataTypes.INTEGER, field: 'playlist_id', primaryKey: true },
    trackId: { type: DataTypes.INTEGER, field: 'track_id', primaryKey: true },
  }, { ...opts, tableName: 'playlist_tracks' });

  User.hasMany(Post, { as: 'posts', foreignKey: 'userId' });
  Post.belongsTo(User, { as: 'author', foreignKey: 'userId' });
  User.belongsTo(User, { as: 'manager', foreignKey: 'managerId' });
  Invoice.hasMany(InvoiceLine, { as: 'lines', foreignKey: 'invoiceId' });
  InvoiceLine.belongsTo(Track, { as: 'track', foreignKey: 'trackId' });
  Playlist.belongsToMany(Track, { as: 'tracks', through: PlaylistTrack, foreignKey: 'playlistId', otherKey: 'trackId' });
  await sequelize.authenticate();

  const page = { order: [['id', 'ASC']] as [string, string][], limit: PAGE.limit, offset: PAGE.offset };
  const joined = () => User.findAll({ include: [{ model: Post, as: 'posts' }] });
  const separate = () => User.findAll({ include: [{ model: Post, as: 'posts', separate: true }] });

  const ops: Partial<Record<OpId, OpFn>> = {
    'R1-joined': joined,
    'R1-selectin': separate,
    'R2-page': () => User.findAll({ ...page, include: [{ model: Post, as: 'posts', separate: true }] }),
    'R3-lazy': async () => {
      const out: [unknown, unknown[]][] = [];
      for (const u of (await User.findAll(page)) as any[]) out.push([u, await u.getPosts()]);
      return out;
    },
    'R3-eager': () => User.findAll({ ...page, include: [{ model: Post, as: 'posts', separate: true }] }),
    'R4-by-id': async () => {
      const out = [];
      for (const id of LOOKUP_IDS) out.push(await User.findByPk(id));
      return out;
    },
    'R4-many-to-one': async () => {
      const out = [];
      for (const id of LOOKUP_POST_IDS) out.push(await Post.findByPk(id, { include: [{ model: User, as: 'author' }] }));
      return out;
    },
    'R4-self-ref': async () => {
      const out = [];
      for (const id of LOOKUP_MANAGED_IDS) out.push(await User.findByPk(id, { include: [{ model: User, as: 'manager' }] }));
      return out;
    },
    'R5-two-levels': () => Invoice.findAll({ include: [{ model: InvoiceLine, as: 'lines', include: [{ model: Track, as: 'track' }] }] }),
    'R6-many-to-many': () => Playlist.findAll({ include: [{ model: Track, as: 'tracks', through: { attributes: [] } }] }),
    'R7-identity-map': async () => {
      await separate();
      return separate();
    },
    'W1-insert': async ({ newUsers }) =>
      sequelize.transaction(async (transaction) => {
        const users = (await User.bulkCreate(newUsers.map((u) => ({ name: u.name, email: u.email })), { transaction })) as any[];
        const ids = users.map((u) => u.id as number);
        if (ids.some((id) => id == null)) throw new Error('bulkCreate returned no ids');
        await Post.bulkCreate(newUsers.flatMap((u, i) => u.posts.map((p) => ({ userId: ids[i], title: p.title, body: p.body }))), { transaction });
      }),
    'W2-update': async ({ tag }) => {
      const all = (await User.findAll()) as any[];
      await sequelize.transaction(async (transaction) => {
        for (const u of all) {
          if (u.id % 10 !== 0) continue;
          u.name = w2Name(u.id, tag);
          await u.save({ transaction });
        }
      });
    },
    'W3-delete-cascade': async () => {
      await User.destroy({ where: { id: { [Op.in]: W3_IDS } } });
    },
  };
  return {
    name: 'sequelize',
    version: `${pkgVersion('sequelize')} (${ctx.db === 'sqlite' ? `sqlite3 ${pkgVersion('sqlite3')}` : 'pg'})`,
    ops,
    notes: {
      'R1-joined': '`include` (one LEFT OUTER JOIN)',
      'R1-selectin': '`include` with `separate: true` (a second query)',
      'R3-lazy': '`user.getPosts()` per user',
      'W1-insert': 'bulkCreate (users), then bulkCreate (posts), in one transaction',
      'W2-update': '`instance.save()` for each changed user, in one transaction',
      'W3-delete-cascade': "`destroy({ where })`; the foreign key's ON DELETE CASCADE removes the posts",
    },
    close: () => sequelize.close(),
  };
}
