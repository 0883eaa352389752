/**
 * Attributes computed from columns: column properties (SQL expressions loaded with the row,
 * SQLAlchemy's column_property), hybrids (one definition on the instance and in SQL,
 * hybrid_property) and composites (a value object over several columns, composite()).
 */
import { afterEach, expect } from 'vitest';
import {
  ArgumentError,
  Database,
  MappingError,
  NotLoadedError,
  concat,
  func,
  joinedload,
  selectColumns,
  selectinload,
  type ColumnElement,
} from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

class Span {
  constructor(
    readonly low: number,
    readonly high: number,
  ) {}
  compositeValues(): [number, number] {
    return [this.low, this.high];
  }
}

function people(db: Database) {
  class Person extends db.Model('Person', {
    id: db.Column(db.Integer, { primaryKey: true }),
    firstName: db.Column(db.String(40), { nullable: false }),
    lastName: db.Column(db.String(40), { nullable: false }),
    notes: db.relationship<Note>('Note', { backPopulates: 'person' }),
    fullName: db.columnProperty((): ColumnElement<string> => concat(Person.firstName, ' ', Person.lastName)),
    noteCount: db.columnProperty(
      (): ColumnElement<number> =>
        selectColumns(func.count(Note.id)).filter(Note.personId.eq(Person.id)).scalarSubquery(),
    ),
    display: db.hybrid({
      get(this: Person): string {
        return `${this.lastName}, ${this.firstName}`;
      },
      expression: (): ColumnElement<string> => concat(Person.lastName, ', ', Person.firstName),
    }),
    first: db.hybrid({
      get(this: Person): string {
        return this.firstName;
      },
      expression: (): ColumnElement<string> => Person.firstName,
      set(this: Person, value: string): void {
        this.firstName = value.trim();
      },
    }),
  }) {}
  class Note extends db.Model('Note', {
    id: db.Column(db.Integer, { primaryKey: true }),
    text: db.Column(db.String(100), { nullable: false }),
    personId: db.Column(db.Integer, db.ForeignKey('person.id'), { nullable: false }),
    person: db.relationship<Person>('Person', { backPopulates: 'notes', uselist: false }),
  }) {}
  class Segment extends db.Model('Segment', {
    id: db.Column(db.Integer, { primaryKey: true }),
    x1: db.Column(db.Integer),
    y1: db.Column(db.Integer),
    x2: db.Column(db.Integer),
    y2: db.Column(db.Integer),
    start: db.composite(Point, { x: 'x1', y: 'y1' }),
    end: db.composite(Point, { x: 'x2', y: 'y2' }),
    span: db.composite(Span, 'x1', 'x2'),
  }) {}
  return { Person, Note, Segment };
}

describeEachDialect('Computed attributes', (t) => {
  const it = itOn(t);
  const dbs: Database[] = [];
  afterEach(async () => {
    for (const d of dbs.splice(0)) {
      await d.dropAll();
      await d.close();
    }
  });
  const open = async () => {
    const db = new Database(t.url, { nPlusOne: 'off' });
    const m = people(db);
    await db.dropAll();
    await db.createAll();
    dbs.push(db);
    const s = db.newSession();
    const ada = new m.Person({ firstName: 'Ada', lastName: 'Lovelace' });
    const grace = new m.Person({ firstName: 'Grace', lastName: 'Hopper' });
    s.add(ada);
    s.add(grace);
    s.add(new m.Note({ text: 'engine', person: ada }));
    s.add(new m.Note({ text: 'notes', person: ada }));
    s.add(new m.Note({ text: 'cobol', person: grace }));
    await s.commit();
    const statements: string[] = [];
    db.onStatement((e) => statements.push(e.sql.replace(/[`"]/g, '')));
    return { db, ...m, statements };
  };

  it('a column property loads with the row, in the same SELECT, and filters and orders in SQL', async () => {
    const { db, Person, statements } = await open();
    let people: InstanceType<typeof Person>[] = [];
    const n = await db.countQueries(async () => {
      people = await db.newSession().query(Person).filter(Person.fullName.eq('Ada Lovelace')).all();
    });
    expect(n).toBe(1);
    expect(people.map((p) => [p.fullName, p.noteCount])).toEqual([['Ada Lovelace', 2]]);
    expect(statements[0]).toMatch(
      /SELECT .*\(SELECT count\(note\.id\) .*FROM note WHERE note\.personId = person\.id\)/i,
    );
    const ordered = await db.newSession().query(Person).orderBy(Person.noteCount.desc(), Person.fullName).all();
    expect(ordered.map((p) => p.fullName)).toEqual(['Ada Lovelace', 'Grace Hopper']);
  });

  it('column properties load through joined and selectin loads (the alias correlates)', async () => {
    const { db, Person, Note } = await open();
    let n = await db.countQueries(async () => {
      const notes = await db.newSession().query(Note).options(joinedload(Note.person)).orderBy(Note.id).all();
      expect(notes.map((x) => [x.person?.fullName, x.person?.noteCount])).toEqual([
        ['Ada Lovelace', 2],
        ['Ada Lovelace', 2],
        ['Grace Hopper', 1],
      ]);
    });
    expect(n).toBe(1);
    n = await db.countQueries(async () => {
      const notes = await db.newSession().query(Note).options(selectinload(Note.person)).orderBy(Note.id).all();
      expect(notes.map((x) => x.person?.noteCount)).toEqual([2, 2, 1]);
    });
    expect(n).toBe(2);
    void Person;
  });

  it('a flush re-reads the column properties of the rows it wrote; a new object has none yet', async () => {
    const { db, Person, statements } = await open();
    const s = db.newSession();
    const ada = (await s.query(Person).filter(Person.firstName.eq('Ada')).one())!;
    ada.lastName = 'King';
    const n = await db.countQueries(() => s.flush());
    expect(n).toBe(2); // the UPDATE, then one SELECT of the properties
    expect(statements.at(-1)).toMatch(/^SELECT .*person\.firstName \|\||^SELECT .*concat\(/i);
    expect(ada.fullName).toBe('Ada King');
    const alan = new Person({ firstName: 'Alan', lastName: 'Turing' });
    expect(() => alan.fullName).toThrow(NotLoadedError);
    expect(() => alan.fullName).toThrow(
      /Person\.fullName is computed by the database: it is read when the row is flushed/,
    );
    s.add(alan);
    await s.commit();
    expect([alan.fullName, alan.noteCount]).toEqual(['Alan Turing', 0]);
  });

  it('a column property is read-only', async () => {
    const { db, Person } = await open();
    const ada = (await db.newSession().query(Person).first())!;
    expect(() => {
      (ada as { fullName: string }).fullName = 'x';
    }).toThrow(/Person\.fullName is a column property: read-only/);
    expect(() => new Person({ fullName: 'x' } as never)).toThrow(ArgumentError);
  });

  it('a hybrid computes on the instance from loaded values, and in SQL from its expression', async () => {
    const { db, Person } = await open();
    const s = db.newSession();
    const found = await s.query(Person).filter(Person.display.eq('Hopper, Grace')).all();
    expect(found.map((p) => p.display)).toEqual(['Hopper, Grace']);
    const ordered = await s.query(Person).orderBy(Person.display).all();
    expect(ordered.map((p) => p.firstName)).toEqual(['Grace', 'Ada']);
    const alan = new Person({ firstName: 'Alan', lastName: 'Turing' });
    expect(alan.display).toBe('Turing, Alan'); // no SQL: a getter over the instance
    alan.first = '  Alonzo ';
    expect(alan.firstName).toBe('Alonzo');
    const init = new Person({ first: ' Kurt', lastName: 'Gödel' });
    expect(init.firstName).toBe('Kurt');
    expect(() => {
      (alan as { display: string }).display = 'x';
    }).toThrow(/Person\.display is a hybrid without a setter/);
    s.add(init);
    await s.commit();
    expect(await db.newSession().query(Person).filter(Person.first.eq('Kurt')).count()).toBe(1);
  });

  it('a composite reads as its value object, writes its columns in one UPDATE, and compares in SQL', async () => {
    const { db, Segment, statements } = await open();
    const s = db.newSession();
    const seg = new Segment({ start: new Point(1, 2), end: new Point(3, 4) });
    s.add(seg);
    await s.commit();
    const other = db.newSession();
    const found = (await other
      .query(Segment)
      .filter(Segment.start.eq(new Point(1, 2)))
      .one())!;
    expect(statements.at(-1)).toMatch(/WHERE \(?segment\.x1 = .* AND segment\.y1 = /);
    expect(found.start).toEqual(new Point(1, 2));
    expect(found.start).toBeInstanceOf(Point);
    expect(found.span).toEqual(new Span(1, 3));
    found.end = new Point(5, 6);
    expect([found.x2, found.y2]).toEqual([5, 6]);
    const before = statements.length;
    await other.commit();
    const written = statements.slice(before).filter((q) => q.startsWith('UPDATE'));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/SET x2 = .*, y2 = /);
    const s3 = db.newSession();
    const third = (await s3.get(Segment, seg.id))!;
    expect([third.end?.x, third.end?.y]).toEqual([5, 6]);
    third.start = null;
    expect([third.x1, third.y1]).toEqual([null, null]);
    expect(third.start).toBeNull(); // every column NULL: null
    expect(third.span).toEqual(new Span(null as never, 5)); // not every column NULL: the object
    await s3.commit();
    expect(
      await db
        .newSession()
        .query(Segment)
        .filter(Segment.end.ne(new Point(5, 6)))
        .count(),
    ).toBe(0);
    expect(await db.newSession().query(Segment).filter(Segment.start.eq(null)).count()).toBe(1);
  });

  it('refuses a composite over unknown columns and a value of the wrong class, naming them', async () => {
    const { Segment } = await open();
    const bad = new Database();
    expect(() =>
      bad.Model('Bad', {
        id: bad.Column(bad.Integer, { primaryKey: true }),
        p: bad.composite(Point, { x: 'nope', y: 'id' }),
      }),
    ).toThrow(MappingError);
    expect(() =>
      bad.Model('Bad2', {
        id: bad.Column(bad.Integer, { primaryKey: true }),
        p: bad.composite(Point, { x: 'nope', y: 'id' }),
      }),
    ).toThrow(/Bad2\.p: composite column 'nope' is not a column of Bad2/);
    const seg = new Segment({});
    expect(() => {
      seg.start = { x: 1, y: 2 } as never;
    }).toThrow(/Segment\.start takes a Point or null/);
    expect(() => Segment.start.eq({ x: 1 } as never)).toThrow(ArgumentError);
    expect(() => {
      seg.span = { low: 1, high: 2 } as never;
    }).toThrow(/Segment\.span takes a Span or null/);
  });
});
