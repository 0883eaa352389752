/**
 * The walk-through: each section of the seed tutorial (its prose and its Flask-SQLAlchemy code,
 * verbatim) with the Relata twin the reader edits and runs.
 */
import oneToMany from './examples/one-to-many.ts?raw';
import manyToMany from './examples/many-to-many.ts?raw';
import oneToOne from './examples/one-to-one.ts?raw';
import loading from './examples/loading.ts?raw';
import joins from './examples/joins.ts?raw';

export interface Section {
  readonly id: string;
  readonly title: string;
  /** Paragraphs before the tutorial's code. */
  readonly intro: readonly string[];
  /** The tutorial's own code. */
  readonly python: string;
  /** Paragraphs after it. */
  readonly outro: readonly string[];
  /** What to look at in the result. */
  readonly watch: string;
  /** The example's file name (for the type checker and stack traces) and its code. */
  readonly fileName: string;
  readonly code: string;
}

export const INTRO = {
  title: 'Relationships',
  subtitle: 'Connecting tables together.',
  text: "Data in the real world isn't flat — it's connected. Users write posts, posts have comments, comments belong to users. SQLAlchemy lets you define these relationships cleanly so you can navigate between related data without writing join queries by hand.",
};

export const SECTIONS: readonly Section[] = [
  {
    id: 'one-to-many',
    title: 'One-to-Many',
    intro: [
      'The most common relationship. One user has many posts. You set this up with a ForeignKey on the "many" side and a relationship() on the "one" side.',
    ],
    python: `class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(80), unique=True)
    posts = db.relationship('Post', backref='author', lazy=True)

class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200))
    content = db.Column(db.Text)
    user_id = db.Column(db.Integer, db.ForeignKey('user.id'))`,
    outro: [
      "Now you can do user.posts to get all of a user's posts, and post.author to get the user who wrote a post. The backref='author' creates that reverse access automatically.",
    ],
    watch:
      'The two posts go in with one INSERT. post.author runs no SQL at all: alice is already in the session’s identity map.',
    fileName: 'one-to-many.ts',
    code: oneToMany.trimEnd(),
  },
  {
    id: 'many-to-many',
    title: 'Many-to-Many',
    intro: [
      'Sometimes both sides have many of the other. Think tags on a post — a post has many tags, and a tag belongs to many posts. You need a helper table (association table) to make this work.',
    ],
    python: `post_tags = db.Table('post_tags',
    db.Column('post_id', db.Integer, db.ForeignKey('post.id')),
    db.Column('tag_id', db.Integer, db.ForeignKey('tag.id'))
)

class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    tags = db.relationship('Tag', secondary=post_tags, backref='posts')

class Tag(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(50), unique=True)`,
    outro: [
      'The secondary=post_tags parameter tells SQLAlchemy to use that association table to connect posts and tags. Now post.tags and tag.posts both work seamlessly.',
    ],
    watch:
      'Loading post.tags joins through post_tags; removing a tag from the list is one DELETE from post_tags at commit.',
    fileName: 'many-to-many.ts',
    code: manyToMany.trimEnd(),
  },
  {
    id: 'one-to-one',
    title: 'One-to-One',
    intro: [
      'Sometimes you need a one-to-one connection — like a user profile that belongs to exactly one user. Set it up like a one-to-many but add uselist=False.',
    ],
    python: `class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    profile = db.relationship('Profile', backref='user', uselist=False)

class Profile(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    bio = db.Column(db.Text)
    user_id = db.Column(db.Integer, db.ForeignKey('user.id'))`,
    outro: ['With uselist=False, accessing user.profile returns a single object instead of a list.'],
    watch: 'Replacing the profile is an UPDATE that clears the old row’s user_id, then an INSERT of the new one.',
    fileName: 'one-to-one.ts',
    code: oneToOne.trimEnd(),
  },
  {
    id: 'loading',
    title: 'Eager vs Lazy Loading',
    intro: [
      "By default, relationships use lazy loading — related data is fetched only when you access it. This can cause the N+1 query problem where accessing a list of items triggers a separate query for each one's relationships.",
    ],
    python: `# Lazy loading (default) - triggers a query per user
users = User.query.all()
for user in users:
    print(user.posts)  # Each access runs a new query

# Eager loading - fetches everything in one go
users = User.query.options(db.joinedload(User.posts)).all()
for user in users:
    print(user.posts)  # No extra queries`,
    outro: [
      "Use eager loading when you know you'll need related data. It's a simple optimization that can make a huge difference.",
    ],
    watch:
      'Lazy: one SELECT for the users, then one per user. joinedload: a single LEFT OUTER JOIN. Try deleting the .options(…) call: TypeScript flags user.posts.map, because the posts are no longer loaded.',
    fileName: 'loading.ts',
    code: loading.trimEnd(),
  },
  {
    id: 'joins',
    title: 'Joining Queries',
    intro: ['When you need to filter based on related data, joins are your friend.'],
    python: `# Get all posts by active users
active_posts = db.session.query(Post).join(User).filter(User.is_active == True).all()

# Get users who have posted
users_with_posts = User.query.join(Post).distinct().all()`,
    outro: [],
    watch:
      'join(User) finds the ON clause from the single foreign key; any() and has() follow the relationships as EXISTS.',
    fileName: 'joins.ts',
    code: joins.trimEnd(),
  },
];
