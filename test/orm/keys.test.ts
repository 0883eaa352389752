import { afterEach, expect } from 'vitest';
import { Database } from '../../src/index.js';
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
    course.enrollments.splice(course.enrollments.findIndex((e) => e.student === 'ben'), 1);
    await s.commit();
    const rows = await db.newSession().query(Enrollment).all();
    expect(rows.map((e) => [e.course_code, e.student, e.grade])).toEqual([['CS101', 'ann', 6]]);
    await expect(s.get(Enrollment, { course_code: 'CS101' })).rejects.toThrow(/needs every primary key column: course_code, student/);
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
