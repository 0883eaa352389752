/**
 * Issue 13 item 1: Enum, Uuid, LargeBinary, PostgreSQL arrays and TypeDecorator user types on every
 * database: round trips, refusals naming model.column before any SQL, filters, and createAll/dropAll
 * twice in a row.
 */
import { afterEach, expect } from 'vitest';
import { ArgumentError, CompileError, Database, Integer, String as Str, TypeDecorator } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

/** A user type: a point stored as 'x,y' text. */
class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}
const PointType = new TypeDecorator(Str(40), {
  toDriver: (p: Point) => `${p.x},${p.y}`,
  fromDriver: (s: string) => {
    const [x, y] = s.split(',').map(Number);
    return new Point(x!, y!);
  },
  checkValue: (v) => (v instanceof Point ? null : 'expected a Point'),
});

function models(db: Database) {
  class Doc extends db.Model('Doc', {
    id: db.Column(db.Uuid, { primaryKey: true, default: db.uuid4 }),
    status: db.Column(db.Enum(['draft', 'published', "it's"] as const), { nullable: false }),
    kind: db.Column(db.Enum(['a', 'b'], { name: 'doc_kind_t' })),
    ref: db.Column(db.Uuid),
    data: db.Column(db.LargeBinary),
    at: db.Column(PointType),
    cents: db.Column(
      db.TypeDecorator(db.Integer, {
        toDriver: (d: number) => Math.round(d * 100),
        fromDriver: (c: number) => c / 100,
      }),
    ),
  }) {}
  return { Doc };
}

const BYTES = Uint8Array.from([0, 1, 2, 127, 128, 254, 255, 0, 39, 92]);
const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describeEachDialect('Column types', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  async function open() {
    db = new Database(t.url, { nPlusOne: 'off' });
    const m = models(db);
    await db.dropAll();
    await db.createAll();
    return m;
  }

  it('round-trips Enum, Uuid, LargeBinary and TypeDecorator values exactly', async () => {
    const { Doc } = await open();
    const big = new Uint8Array(70000).map((_, i) => (i * 7) % 256);
    const d = new Doc({ status: "it's", kind: 'b', ref: UUID, data: BYTES, at: new Point(1.5, -2), cents: 12.34 });
    const e = new Doc({ status: 'draft', data: big });
    db!.session.add(d);
    db!.session.add(e);
    await db!.session.commit();
    expect(d.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const s = db!.newSession();
    const got = await s.query(Doc).filter(Doc.id.eq(d.id)).one();
    expect(got.status).toBe("it's");
    expect(got.kind).toBe('b');
    expect(got.ref).toBe(UUID);
    expect(got.data).toBeInstanceOf(Uint8Array);
    expect([...got.data!]).toEqual([...BYTES]);
    expect(got.at).toEqual(new Point(1.5, -2));
    expect(got.at).toBeInstanceOf(Point);
    expect(got.cents).toBe(12.34);
    const other = await s.query(Doc).filter(Doc.id.eq(e.id)).one();
    expect(Buffer.compare(Buffer.from(other.data!), Buffer.from(big))).toBe(0);
    expect(other.kind).toBeNull();
    await s.close();
  });

  it('updates each type through the unit of work and reads the new values back', async () => {
    const { Doc } = await open();
    const d = new Doc({ status: 'draft', data: BYTES, at: new Point(0, 0), cents: 1 });
    db!.session.add(d);
    await db!.session.commit();
    d.status = 'published';
    d.kind = 'a';
    d.ref = UUID;
    d.data = Uint8Array.from([9, 8]);
    d.at = new Point(5, 6);
    d.cents = 0.07;
    await db!.session.commit();
    const s = db!.newSession();
    const got = await s.query(Doc).filter(Doc.id.eq(d.id)).one();
    expect([got.status, got.kind, got.ref, [...got.data!], got.at, got.cents]).toEqual([
      'published',
      'a',
      UUID,
      [9, 8],
      new Point(5, 6),
      0.07,
    ]);
    await s.close();
  });

  it('filters on each type, binds going through toDriver', async () => {
    const { Doc } = await open();
    db!.session.add(new Doc({ status: 'draft', ref: UUID, data: BYTES, at: new Point(1, 2), cents: 1 }));
    db!.session.add(new Doc({ status: 'published', at: new Point(3, 4), cents: 2.5 }));
    await db!.session.commit();
    const q = () => db!.newSession().query(Doc);
    expect((await q().filter(Doc.status.eq('published')).all()).map((r) => r.cents)).toEqual([2.5]);
    expect(
      await q()
        .filter(Doc.status.in(['draft', "it's"]))
        .count(),
    ).toBe(1);
    expect(await q().filter(Doc.ref.eq(UUID)).count()).toBe(1);
    expect(await q().filter(Doc.data.eq(BYTES)).count()).toBe(1);
    expect(
      await q()
        .filter(Doc.data.eq(Buffer.from(BYTES)))
        .count(),
    ).toBe(1);
    expect(
      (
        await q()
          .filter(Doc.at.eq(new Point(3, 4)))
          .one()
      ).status,
    ).toBe('published');
    expect((await q().filter(Doc.cents.gt(2)).one()).status).toBe('published');
  });

  it('refuses values outside each type before any SQL, naming model.column', async () => {
    const { Doc } = await open();
    const cases: [() => unknown, RegExp, string][] = [
      [
        () => new Doc({ status: 'Draft' as 'draft' }),
        /Doc\.status.*'Draft' is not one of 'draft', 'published'/,
        'status',
      ],
      [() => new Doc({ status: 'draft', ref: UUID.toUpperCase() }), /Doc\.ref.*not in lower case/, 'ref'],
      [() => new Doc({ status: 'draft', ref: 'not-a-uuid' }), /Doc\.ref.*not a UUID/, 'ref'],
      [
        () => new Doc({ status: 'draft', data: [1, 2] as unknown as Uint8Array }),
        /Doc\.data.*expected a Uint8Array/,
        'data',
      ],
      [() => new Doc({ status: 'draft', at: { x: 1, y: 2 } as Point }), /Doc\.at.*expected a Point/, 'at'],
      [() => Doc.status.eq('nope' as 'draft'), /'nope' is not one of/, 'status'],
      [() => Doc.ref.eq('ABC'), /not a UUID/, 'ref'],
    ];
    const n = await db!.countQueries(async () => {
      for (const [fn, message, column] of cases) {
        let err: unknown;
        try {
          fn();
        } catch (e) {
          err = e;
        }
        expect(err, String(message)).toBeInstanceOf(ArgumentError);
        expect((err as Error).message).toMatch(message);
        expect((err as ArgumentError).column).toBe(column);
      }
    });
    expect(n).toBe(0);
  });

  it('createAll and dropAll run twice in a row', async () => {
    await open();
    await db!.createAll();
    await db!.createAll();
    await db!.dropAll();
    await db!.dropAll();
    await db!.createAll();
  });

  it('statements prepared before dropAll/createAll still run after (a PostgreSQL enum type made again has a new OID)', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    class E extends db.Model('E', {
      id: db.Column(db.Integer, { primaryKey: true }),
      s: db.Column(db.Enum(['a', 'b'])),
    }) {}
    for (let round = 0; round < 2; round++) {
      await db.dropAll();
      await db.createAll();
      for (let i = 0; i < 3; i++) {
        db.session.add(new E({ s: 'a' }));
        await db.session.commit();
        expect(await db.newSession().query(E).filter(E.s.eq('a')).count()).toBe(i + 1);
      }
    }
  });

  it('an array column is a CompileError naming the column where the dialect has no arrays', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    class Tagged extends db.Model('Tagged', {
      id: db.Column(db.Integer, { primaryKey: true }),
      tags: db.Column(db.ArrayOf(db.String(20))),
    }) {}
    void Tagged;
    if (t.dialect === 'postgres') {
      await db.dropAll();
      await db.createAll();
      return;
    }
    await expect(db.createAll()).rejects.toThrow(CompileError);
    await expect(db.createAll()).rejects.toThrow(/column tagged\.tags: ArrayOf\(\) is PostgreSQL only/);
  });
});

describeEachDialect('PostgreSQL arrays', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  it('round-trips and filters arrays of each item type', async () => {
    if (t.dialect !== 'postgres') return;
    db = new Database(t.url, { nPlusOne: 'off' });
    class Arr extends db.Model('Arr', {
      id: db.Column(db.Integer, { primaryKey: true }),
      ints: db.Column(db.ArrayOf(db.Integer)),
      bigs: db.Column(db.ArrayOf(db.BigInteger)),
      floats: db.Column(db.ArrayOf(db.Float)),
      decs: db.Column(db.ArrayOf(db.Numeric(10, 2))),
      strs: db.Column(db.ArrayOf(db.String(20))),
      texts: db.Column(db.ArrayOf(db.Text)),
      flags: db.Column(db.ArrayOf(db.Boolean)),
      ids: db.Column(db.ArrayOf(db.Uuid)),
    }) {}
    await db.dropAll();
    await db.createAll();
    const row = {
      ints: [1, -2, 2147483647],
      bigs: [9007199254740993n, -1n],
      floats: [0.1, 1e300],
      decs: ['12.50', '-0.01'],
      strs: ['a,b', 'q"uote', 'back\\slash', '{brace}', 'NULL', ''],
      texts: ['x y', "it's"],
      flags: [true, false],
      ids: [UUID],
    };
    const empty = { ints: [], bigs: [], floats: [], decs: [], strs: [], texts: [], flags: [], ids: [] };
    db.session.add(new Arr({ id: 1, ...row }));
    db.session.add(new Arr({ id: 2, ...empty }));
    await db.session.commit();
    const s = db.newSession();
    const [a, b] = await s.query(Arr).orderBy(Arr.id).all();
    expect({ ...row }).toEqual({
      ints: a!.ints,
      bigs: a!.bigs,
      floats: a!.floats,
      decs: a!.decs,
      strs: a!.strs,
      texts: a!.texts,
      flags: a!.flags,
      ids: a!.ids,
    });
    expect(b!.strs).toEqual([]);
    expect(await s.query(Arr).filter(Arr.strs.eq(row.strs)).count()).toBe(1);
    expect(
      await s
        .query(Arr)
        .filter(Arr.bigs.eq([9007199254740993n, -1n]))
        .count(),
    ).toBe(1);
    expect(() => Arr.ints.eq([1, 1.5])).toThrow(/\[1\]: 1\.5 is not a whole number/);
    expect(() => new Arr({ strs: ['x', null as unknown as string] })).toThrow(/Arr\.strs.*\[1\] is null/);
    await s.close();
  });
});

describeEachDialect('Type declarations', () => {
  itOn({ skipReason: null })('refuses bad Enum members, ArrayOf items and TypeDecorator options', () => {
    expect(() => new Database().Enum([])).toThrow(ArgumentError);
    expect(() => new Database().Enum(['a', 'A'])).toThrow(/repeats a member/);
    expect(() => new Database().Enum(['a '])).toThrow(/white space/);
    expect(() => new Database().Enum(['a'], { nmae: 'x' } as { name?: string })).toThrow(
      /unsupported option\(s\) nmae/,
    );
    expect(() => new Database().ArrayOf(new Database().JSON)).toThrow(/item type must be one of/);
    expect(() => new Database().ArrayOf(PointType)).toThrow(/item type must be one of/);
    const d = new Database();
    expect(() => d.Model('BinKey', { id: d.Column(d.LargeBinary, { primaryKey: true }) })).toThrow(
      /BinKey\.id: a LargeBinary column cannot be a primary key/,
    );
    expect(() => d.Model('ArrKey', { id: d.Column(d.ArrayOf(d.Integer), { primaryKey: true }) })).toThrow(
      /ArrKey\.id: an ArrayOf\(\) column cannot be a primary key/,
    );
    expect(() =>
      d.Model('BinIx', { id: d.Column(d.Integer, { primaryKey: true }), b: d.Column(d.LargeBinary, { unique: true }) }),
    ).toThrow(/BinIx\.b: a LargeBinary column cannot be unique or indexed/);
    expect(
      () => new TypeDecorator(Integer, { toDriver: (v: number) => v, fromDriver: (v: number) => v, extra: 1 } as never),
    ).toThrow(/unsupported option\(s\) extra/);
  });
});
