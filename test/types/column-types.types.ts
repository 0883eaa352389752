/**
 * Issue 13 item 1: the TypeScript types of Enum, Uuid, LargeBinary, ArrayOf and TypeDecorator
 * columns (each `@ts-expect-error` fails tsc if its line compiles after all).
 */
import { Database, Enum, TypeDecorator, Integer, type ValuesOf } from '../../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

const db = new Database();

class Money {
  constructor(readonly cents: number) {}
}
const MoneyType = new TypeDecorator(Integer, {
  toDriver: (m: Money) => m.cents,
  fromDriver: (c: number) => new Money(c),
});

class Post extends db.Model('Post', {
  id: db.Column(db.Uuid, { primaryKey: true, default: db.uuid4 }),
  status: db.Column(db.Enum(['draft', 'published'] as const), { nullable: false }),
  mood: db.Column(Enum(['happy', 'sad'])),
  body: db.Column(db.LargeBinary),
  tags: db.Column(db.ArrayOf(db.String(20))),
  scores: db.Column(db.ArrayOf(db.BigInteger)),
  price: db.Column(MoneyType),
  cents: db.Column(
    db.TypeDecorator(db.Integer, { toDriver: (d: number) => d * 100, fromDriver: (c: number) => c / 100 }),
  ),
}) {}

declare const p: Post;
expectType<Equal<typeof p.id, string>>();
expectType<Equal<typeof p.status, 'draft' | 'published'>>();
expectType<Equal<typeof p.mood, 'happy' | 'sad' | null>>();
expectType<Equal<typeof p.body, Uint8Array | null>>();
expectType<Equal<typeof p.tags, string[] | null>>();
expectType<Equal<typeof p.scores, bigint[] | null>>();
expectType<Equal<typeof p.price, Money | null>>();
expectType<Equal<typeof p.cents, number | null>>();

new Post({ status: 'draft', body: Buffer.from('x'), tags: ['a'], price: new Money(5) });
new Post({ status: 'published', body: new Uint8Array(2), scores: [1n] });
// @ts-expect-error: not a member of the Enum
new Post({ status: 'archived' });
// @ts-expect-error: a number is no UUID
new Post({ status: 'draft', id: 5 });
// @ts-expect-error: bytes are a Uint8Array, not a string
new Post({ status: 'draft', body: 'bytes' });
// @ts-expect-error: tags are strings
new Post({ status: 'draft', tags: [1] });
// @ts-expect-error: price is Money, not its stored number
new Post({ status: 'draft', price: 500 });

Post.status.eq('draft');
Post.price.eq(new Money(1));
Post.tags.eq(['x']);
// @ts-expect-error: filters take the model's type too
Post.status.eq('archived');
// @ts-expect-error: the TypeDecorator's user type, not impl's
Post.price.eq(1);

const values: ValuesOf<Post> = { status: 'published' };
void values;
// @ts-expect-error: toDriver and fromDriver must agree on impl's type
new TypeDecorator(Integer, { toDriver: (m: Money) => String(m.cents), fromDriver: (c: number) => new Money(c) });
