import { afterEach, expect } from 'vitest';
import { Database, StaleDataError } from '../../src/index.js';
import { oneToManyModels } from '../../examples/seed/one-to-many.js';
import { describeEachDialect, itOn } from '../support/databases.js';

function enrollment(db: Database) {
  class Course extends db.Model('Course', {
    code: db.Column(db.String(10), { primaryKey: true }),
    title: db.Column(db.String(80), { nullable: false }),
    enrollments: db.relationship<Enrollment>('Enrollment', { backPopulates: 'course', cascade: 'all, delete-orphan' }),
  }) {}
  class Enrollment extends db.Model('Enrollment', {
    course_code: db.Column(db.String(10), db.ForeignKey('course.code'), { primaryKey: true }),
    student: db.Column(db.String(40), { primaryKey: true }),
    grade: db.Column(db.Integer),
    course: db.relationship<Course>('Course', { backPopulates: 'enrollments', uselist: false }),
  }) {}
  return { Course, Enrollment };
}

describeEachDialect('Keys', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    if (db) {
      await db.dropAll();
      await db.close();
    }
    db = null;
  });

  it('composite primary keys: identity map, get(), update and delete by both columns', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const { Course, Enrollment } = enrollment(db);
    await db.dropAll();
    await db.createAll();
    const algo = new Course({ code: 'CS101', title: 'Algorithms' });
    algo.enrollments = [new Enrollment({ student: 'ann', grade: 5 }), new Enrollment({ student: 'ben', grade: 3 })];
    db.session.add(algo);
    await db.session.commit();

    const s = db.newSession();
    const ann = (await s.get(Enrollment, { course_code: 'CS101', student: 'ann' }))!;
    expect(ann.grade).toBe(5);
    expect(await db.countQueries(async () => expect(await s.get(Enrollment, ['CS101', 'ann'])).toBe(ann))).toBe(0);
    const course = (await s.query(Course).options(db.selectinload(Course.enrollments)).one())!;
    expect(course.enrollments.map((e) => e.student).sort()).toEqual(['ann', 'ben']);
    expect(course.enrollments.includes(ann)).toBe(true); // same object from the identity map
    ann.grade = 6;
    course.enrollments.splice(
      course.enrollments.findIndex((e) => e.student === 'ben'),
      1,
    );
    await s.commit();
    const rows = await db.newSession().query(Enrollment).all();
    expect(rows.map((e) => [e.course_code, e.student, e.grade])).toEqual([['CS101', 'ann', 6]]);
    await expect(s.get(Enrollment, { course_code: 'CS101' })).rejects.toThrow(
      /needs every primary key column: course_code, student/,
    );
  });

  it('deleting a parent without a delete cascade clears its children’s foreign keys (they are loaded first)', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    const { User, Post } = oneToManyModels(db);
    await db.dropAll();
    await db.createAll();
    const u = new User({ username: 'gone', posts: [new Post({ title: 'stays' })] });
    db.session.add(u);
    await db.session.commit();
    const s = db.newSession();
    s.delete((await s.get(User, u.id))!);
    const events = await db.recordQueries(() => s.commit());
    expect(events.map((e) => e.sql.split(' ')[0])).toEqual(['SELECT', 'UPDATE', 'DELETE']);
    const post = (await db.newSession().query(Post).one())!;
    expect([post.title, post.user_id]).toEqual(['stays', null]);
  });
});

describeEachDialect('Optimistic locking', (t) => {
  const it = itOn(t);
  it('a concurrent change raises StaleDataError instead of being overwritten', async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    class Counter extends db.Model(
      'Counter',
      {
        id: db.Column(db.Integer, { primaryKey: true }),
        value: db.Column(db.Integer, { nullable: false }),
        version: db.Column(db.Integer, { nullable: false }),
      },
      { versionId: 'version' },
    ) {}
    try {
      await db.dropAll();
      await db.createAll();
      db.session.add(new Counter({ value: 0 }));
      await db.session.commit();
      const a = db.newSession();
      const b = db.newSession();
      const ca = (await a.get(Counter, 1))!;
      const cb = (await b.get(Counter, 1))!;
      expect(ca.version).toBe(1);
      ca.value += 1;
      await a.commit();
      expect(ca.version).toBe(2);
      cb.value += 1; // based on the stale value 0
      await expect(b.commit()).rejects.toBeInstanceOf(StaleDataError);
      await b.rollback();
      expect(cb.value).toBe(0);
      b.delete(cb);
      await expect(b.commit()).rejects.toThrow(/DELETE of <Counter id=1> matched no row/);
      await b.rollback();
      const fresh = (await db.newSession().get(Counter, 1))!;
      expect([fresh.value, fresh.version]).toEqual([1, 2]);
    } finally {
      await db.dropAll();
      await db.close();
    }
  });
});

describeEachDialect('Exact numbers', (t) => {
  const it = itOn(t);
  it('BIGINT round-trips 2^53 + 1 and 2^63 − 1 as bigint; decimals keep their digits and scale', async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    class Amount extends db.Model('Amount', {
      id: db.Column(db.Integer, { primaryKey: true }),
      big: db.Column(db.BigInteger),
      price: db.Column(db.Numeric(15, 2)),
    }) {}
    try {
      await db.dropAll();
      await db.createAll();
      const values = [9007199254740993n, 9223372036854775807n, -9223372036854775807n];
      db.session.addAll(values.map((big, i) => new Amount({ big, price: ['0.10', '12.50', '9999999999999.99'][i]! })));
      await db.session.commit();
      const rows = await db.newSession().query(Amount).orderBy(Amount.id).all();
      expect(rows.map((r) => r.big)).toEqual(values);
      expect(rows.map((r) => r.price)).toEqual(['0.10', '12.50', '9999999999999.99']);
      expect(typeof rows[0]!.id).toBe('number');
      const found = await db.newSession().query(Amount).filter(Amount.big.eq(9007199254740993n)).all();
      expect(found.map((r) => r.id)).toEqual([rows[0]!.id]);
    } finally {
      await db.dropAll();
      await db.close();
    }
  });
});
