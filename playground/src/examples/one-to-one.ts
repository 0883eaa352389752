import type { Related } from 'relata';

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

await db.createAll();

const user = new User({ profile: new Profile({ bio: 'Writes about ORMs' }) });
db.session.add(user);
await db.session.commit();

const session = db.newSession();
const loaded = (await session.get(User, user.id))!;
const profile = await loaded.profile; // one object (or null), not a list
console.log('user.profile', profile);
console.log('profile.user', await profile!.user);

// Assigning a second profile replaces the first: its foreign key is cleared at flush.
const old = profile!;
loaded.profile = new Profile({ bio: 'Rewritten bio' });
await session.commit();
console.log("old profile's user_id after replacing", old.user_id);
const again = await db.newSession().get(User, user.id);
console.log('user.profile now', await again!.profile);
