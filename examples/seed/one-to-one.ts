/**
 * Seed § One-to-One.
 *
 *   class User(db.Model):
 *       id = db.Column(db.Integer, primary_key=True)
 *       profile = db.relationship('Profile', backref='user', uselist=False)
 *
 *   class Profile(db.Model):
 *       id = db.Column(db.Integer, primary_key=True)
 *       bio = db.Column(db.Text)
 *       user_id = db.Column(db.Integer, db.ForeignKey('user.id'))
 */
import type { Database, Related } from '../../src/index.js';

export function oneToOneModels(db: Database) {
  class User extends db.Model('User', {
    id: db.Column(db.Integer, { primaryKey: true }),
    profile: db.relationship<Profile>('Profile', { backref: 'user', uselist: false }),
  }) {}

  class Profile extends db.Model('Profile', {
    id: db.Column(db.Integer, { primaryKey: true }),
    bio: db.Column(db.Text),
    user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
  }) {
    declare user: Related<User | null>;
  }

  return { User, Profile };
}

/** "With uselist=False, accessing user.profile returns a single object instead of a list." */
export async function oneToOne(db: Database, log: (line: string) => void = console.log) {
  const { User, Profile } = oneToOneModels(db);
  await db.createAll();

  const user = new User({ profile: new Profile({ bio: 'Writes about ORMs' }) });
  db.session.add(user);
  await db.session.commit();

  const session = db.newSession();
  const loaded = (await session.get(User, user.id))!;
  const profile = await loaded.profile; // one object (or null), not a list
  log(`user.profile → ${profile?.bio}`);
  const owner = await profile!.user;
  log(`profile.user → User ${owner?.id}`);

  // Assigning a second profile replaces the first: its foreign key is cleared at flush.
  const old = profile!;
  loaded.profile = new Profile({ bio: 'Rewritten bio' });
  await session.commit();
  log(`old profile's user_id after replacing → ${old.user_id}`);
  const again = await db.newSession().get(User, user.id);
  const current = await again!.profile;
  log(`user.profile now → ${current?.bio}`);
  await session.close();

  return {
    bio: profile?.bio ?? null,
    ownerIsUser: owner === loaded,
    oldUserId: old.user_id,
    newBio: current?.bio ?? null,
  };
}
