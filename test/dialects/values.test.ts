/**
 * Exact values on every database: 64-bit integers, decimals, instants (whatever the process's and the
 * server's time zone), booleans, JSON, dates and awkward strings come back as they went in.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect } from 'vitest';
import { ArgumentError, Database, DataError, IntegrityError, func } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';

const run = promisify(execFile);
const FIXTURE = join(import.meta.dirname, 'fixtures', 'timezone-roundtrip.ts');

const BIG = [9007199254740993n, 9223372036854775807n, -9223372036854775808n, 0n];

function models(db: Database) {
  class Sample extends db.Model('Sample', {
    id: db.Column(db.Integer, { primaryKey: true }),
    big: db.Column(db.BigInteger),
    exact: db.Column(db.Numeric(38, 18)),
    money: db.Column(db.Numeric(10, 2)),
    loose: db.Column(db.Numeric()),
    at: db.Column(db.DateTime),
    day: db.Column(db.Date),
    flag: db.Column(db.Boolean),
    doc: db.Column(db.JSON),
    name: db.Column(db.String(200)),
    body: db.Column(db.Text),
  }) {}
  return { Sample };
}

describeEachDialect('Exact values', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  async function open(url = t.url) {
    db = new Database(url, { nPlusOne: 'off' });
    const m = models(db);
    await db.dropAll();
    await db.createAll();
    return m;
  }

  it('BIGINT round-trips as bigint past 2^53 and at both ends of int64, and filters exactly', async () => {
    const { Sample } = await open();
    for (const big of BIG) db!.session.add(new Sample({ big }));
    await db!.session.commit();
    const s = db!.newSession();
    const got = await s.query(Sample).orderBy(Sample.id).all();
    expect(got.map((r) => r.big)).toEqual(BIG);
    // 2^53 + 1 and 2^53 are the same JS number: the filter must still tell them apart.
    const one = await s.query(Sample).filter(Sample.big.eq(9007199254740993n)).all();
    expect(one.map((r) => r.big)).toEqual([9007199254740993n]);
    expect(await s.query(Sample).filter(Sample.big.eq(9007199254740992n)).count()).toBe(0);
  });

  it('BIGINT as string when the URL asks for it (?bigint=string)', async () => {
    if (t.dialect === 'sqlite') return;
    const { Sample } = await open(`${t.url}?bigint=string`);
    db!.session.add(new Sample({ big: 9223372036854775807n }));
    await db!.session.commit();
    const got = await db!.newSession().query(Sample).one();
    expect(got.big).toBe('9223372036854775807');
  });

  it('NUMERIC/DECIMAL come back as exact strings with their scale, never a rounded float', async () => {
    if (t.dialect === 'sqlite') return; // SQLite refuses decimals it cannot hold exactly (see docs/dialects.md)
    const { Sample } = await open();
    const values = [
      { exact: '12345678901234567890.123456789012345678', money: '12.50', loose: '3.141592653589793238462643383279' },
      { exact: '-0.000000000000000001', money: '-99999999.99', loose: '100' },
    ];
    for (const v of values) db!.session.add(new Sample(v));
    await db!.session.commit();
    const got = await db!.newSession().query(Sample).orderBy(Sample.id).all();
    expect(got.map((r) => ({ exact: r.exact, money: r.money, loose: r.loose }))).toEqual(values);
    const found = await db!
      .newSession()
      .query(Sample)
      .filter(Sample.exact.eq('12345678901234567890.123456789012345678'))
      .count();
    expect(found).toBe(1);
  });

  it('instants, calendar dates, booleans, JSON and awkward strings round-trip', async () => {
    const { Sample } = await open();
    const awkward = 'O\'Reilly \\ `tick` "q" $1 ? :x /* c */ ☃ 😀';
    const rows = [
      {
        at: new Date('2024-05-06T07:08:09.123Z'),
        day: '2024-02-29',
        flag: true,
        doc: { a: [1, 'two', null], ü: { n: 1.5 } },
        name: awkward,
        body: 'x'.repeat(70_000),
      },
      {
        at: new Date('1969-07-20T20:17:40.000Z'),
        day: '1969-07-20',
        flag: false,
        doc: ['just', 'an', 'array'],
        name: '',
        body: '',
      },
      {
        at: new Date('2024-03-10T10:30:00.000Z'),
        day: '2038-01-19',
        flag: false,
        doc: 'a JSON string',
        name: ' ',
        body: null,
      },
    ];
    for (const r of rows) db!.session.add(new Sample(r));
    await db!.session.commit();
    const s = db!.newSession();
    const got = await s.query(Sample).orderBy(Sample.id).all();
    expect(got.map((r) => ({ at: r.at, day: r.day, flag: r.flag, doc: r.doc, name: r.name, body: r.body }))).toEqual(
      rows,
    );
    expect(typeof got[0]!.flag).toBe('boolean');
    expect((await s.query(Sample).filter(Sample.flag.eq(false)).all()).length).toBe(2);
    expect(
      (
        await s
          .query(Sample)
          .filter(Sample.at.eq(new Date('2024-05-06T07:08:09.123Z')))
          .all()
      ).length,
    ).toBe(1);
    expect((await s.query(Sample).filter(Sample.name.eq(awkward)).all()).length).toBe(1);
  });

  it('an instant written and read under other time zones (process TZ and server zone) is the same instant', async () => {
    const dir = t.dialect === 'sqlite' ? mkdtempSync(join(tmpdir(), 'relata-tz-')) : null;
    const url = dir ? `sqlite:///${join(dir, 'tz.db')}` : t.url;
    const restoreServerZone = await setServerZone(t.dialect, url);
    try {
      const instants = {
        summer: '2024-07-01T12:00:00.000Z',
        // 02:30 on 2024-03-10 does not exist in Los Angeles (DST gap): a local-time conversion would shift it.
        gap: '2024-03-10T10:30:00.000Z',
        millis: '1999-12-31T23:59:59.999Z',
      };
      const child = async (tz: string, mode: string, ...args: string[]) => {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE, url, mode, ...args], {
          env: { ...process.env, TZ: tz },
        });
        return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
          offset: number;
          rows: [string, string][];
          found: string[];
        };
      };
      // Not behind a pooler: PgBouncer gives every client of a pool the TimeZone of the pool's first server
      // connection, opened before the ALTER DATABASE, and sets it on newer server connections too.
      if (t.dialect !== 'sqlite' && !t.behindPooler) {
        // The server's zone for new sessions is not UTC; Relata's MySQL sessions still run in UTC (NOW(), TIMESTAMP).
        const probe = new Database(url);
        const sql = t.dialect === 'postgres' ? 'SHOW timezone' : 'SELECT @@SESSION.time_zone';
        const zone = (await probe.engine.execute({ sql, params: [] })).rows[0]?.[0];
        await probe.close();
        expect(zone).toBe(t.dialect === 'postgres' ? 'Asia/Kolkata' : '+00:00');
      }
      const written = await child('America/Los_Angeles', 'write', JSON.stringify(instants));
      expect(written.offset).not.toBe(0); // the child really ran in another zone
      const expected = Object.entries(instants);
      expect(written.rows).toEqual(expected);
      // Read back from a process in yet another zone, and filter by the instant there.
      const read = await child('Asia/Kolkata', 'read');
      expect(read.rows).toEqual(expected);
      expect(read.found).toEqual(['gap']);
      // What the database holds is the UTC wall-clock time (MySQL DATETIME has no zone of its own).
      if (t.dialect !== 'sqlite') expect(await storedUtcText(t.dialect, url)).toContain('2024-03-10 10:30:00');
    } finally {
      await restoreServerZone();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

function checkedModels(db: Database) {
  class Checked extends db.Model('Checked', {
    id: db.Column(db.Integer, { primaryKey: true }),
    n: db.Column(db.Integer),
    big: db.Column(db.BigInteger),
    x: db.Column(db.Float),
    money: db.Column(db.Numeric(10, 2)),
    loose: db.Column(db.Numeric()),
    code: db.Column(db.String(5), { unique: true }),
    body: db.Column(db.Text),
    day: db.Column(db.Date),
    at: db.Column(db.DateTime),
    doc: db.Column(db.JSON),
  }) {}
  return { Checked };
}

/** Issue 11: each value either comes back as written, or is refused (ArgumentError/DataError) before any SQL runs. */
describeEachDialect('Values refused before SQL, or read back identical', (t) => {
  const it = itOn(t);
  let db: Database | null = null;
  let statements = 0;
  afterEach(async () => {
    await db?.close();
    db = null;
  });

  async function open() {
    db = new Database(t.url, { nPlusOne: 'off' });
    const m = checkedModels(db);
    await db.dropAll();
    await db.createAll();
    db.engine.onStatement(() => statements++);
    statements = 0;
    return m;
  }

  /** Writes one row and reads it back from a fresh session. */
  async function roundTrip<T extends object>(
    Model: { new (v: T): object },
    values: T,
  ): Promise<Record<string, unknown>> {
    const s = db!.newSession();
    s.add(new Model(values));
    await s.commit();
    const rows = await db!
      .newSession()
      .query(Model as never)
      .all();
    await s.close();
    return rows.at(-1) as Record<string, unknown>;
  }

  it('Integer: NaN, ±Infinity, fractions and values past 32 bits are refused, naming the column', async () => {
    const { Checked } = await open();
    for (const n of [NaN, Infinity, -Infinity, 1.5, 2 ** 31, -(2 ** 31) - 1, 2n ** 53n + 1n]) {
      expect(() => new Checked({ n: n as number })).toThrow(ArgumentError);
      expect(() => new Checked({ n: n as number })).toThrow(/Checked\.n: /);
      expect(() => Checked.n.eq(n as number)).toThrow(/Checked\.n\.eq\(\)/);
    }
    expect((await roundTrip(Checked, { n: 2 ** 31 - 1 })).n).toBe(2147483647);
    expect((await roundTrip(Checked, { n: -(2 ** 31) })).n).toBe(-2147483648);
    expect(statements).toBe(8); // two writes and two reads (BEGIN, INSERT, COMMIT, SELECT): nothing for the refused
  });

  it('the refusal carries the model and column as fields, for an API to answer 400 without parsing text', async () => {
    const { Checked } = await open();
    const caught = async (fn: () => unknown): Promise<ArgumentError> => {
      try {
        await fn();
      } catch (err) {
        if (err instanceof ArgumentError) return err;
        throw err;
      }
      throw new Error('expected an ArgumentError');
    };
    const fields = async (fn: () => unknown) => {
      const e = await caught(fn);
      return { model: e.model, column: e.column };
    };
    const checkedN = { model: 'Checked', column: 'n' };
    expect(await fields(() => new Checked({ n: 1.5 }))).toEqual(checkedN);
    expect(await fields(() => Checked.n.eq(1.5))).toEqual(checkedN);
    expect(await fields(() => Checked.query.filterBy({ day: '9999-99-99' }))).toEqual({
      model: 'Checked',
      column: 'day',
    });
    expect(await fields(() => db!.session.execute(db!.insert(Checked).values({ n: 2 ** 40 })))).toEqual(checkedN);
    expect(
      await fields(() =>
        db!.session.execute(
          db!
            .update(Checked)
            .values({ n: 2 ** 40 })
            .allRows(),
        ),
      ),
    ).toEqual(checkedN);
    expect(await fields(() => db!.session.query(Checked).offset(-1))).toEqual({ model: undefined, column: undefined });
    expect(statements).toBe(0);
  });

  it('a column default is checked as any value is, before its INSERT is sent', async () => {
    db = new Database(t.url, { nPlusOne: 'off' });
    class Defaulted extends db.Model('Defaulted', {
      id: db.Column(db.Integer, { primaryKey: true }),
      n: db.Column(db.Integer, { default: 1.5 }),
      at: db.Column(db.DateTime, { default: () => new Date(NaN) }),
    }) {}
    await db.dropAll();
    await db.createAll();
    db.session.add(new Defaulted({ at: new Date(0) }));
    await expect(db.session.commit()).rejects.toThrow(/defaulted\.n: its default: 1\.5 is not a whole number/);
    await db.session.rollback();
    db.session.add(new Defaulted({ n: 1 }));
    await expect(db.session.commit()).rejects.toThrow(/defaulted\.at: its default: got an invalid Date/);
    await db.session.rollback();
    expect(await db.newSession().query(Defaulted).count()).toBe(0);
  });

  it('BigInteger: past int64 and unsafe numbers are refused; Float: NaN and ±Infinity refused, -0 reads as 0', async () => {
    const { Checked } = await open();
    expect(() => new Checked({ big: 2n ** 63n })).toThrow(/Checked\.big: 9223372036854775808 is outside/);
    expect(() => new Checked({ big: (2 ** 53 + 2) as unknown as bigint })).toThrow(/MAX_SAFE_INTEGER/);
    for (const x of [NaN, Infinity, -Infinity])
      expect(() => new Checked({ x })).toThrow(/Checked\.x: .* not a finite number/);
    const row = await roundTrip(Checked, { big: -(2n ** 63n), x: -0 });
    expect(row.big).toBe(-(2n ** 63n));
    expect(Object.is(row.x, 0)).toBe(true);
    // Read by a statement without parameters: mysql2's text protocol rounded a BIGINT that prints like a double (…920).
    expect((await roundTrip(Checked, { big: 928667422748369900n })).big).toBe(928667422748369900n);
  });

  it("Numeric: 'abc', NaN and Infinity are refused in values and filters; exponents are exact; too many digits refused, not rounded", async () => {
    const { Checked } = await open();
    expect(() => Checked.query.filterBy({ money: 'abc' })).toThrow(
      /Checked\.money\.eq\(\): 'abc' is not a decimal number/,
    );
    expect(() => Checked.money.eq(NaN as unknown as string)).toThrow(ArgumentError);
    expect(() => Checked.money.eq(Infinity as unknown as string)).toThrow(ArgumentError);
    expect(() => new Checked({ money: '12.345' })).toThrow(/Numeric\(10, 2\) would round it/);
    expect(() => new Checked({ money: '123456789' })).toThrow(/holds 8/);
    const row = await roundTrip(Checked, { money: '1.5e2', loose: '3e-3' });
    expect(row).toMatchObject({ money: '150.00', loose: '0.003' });
    // 323 digits after the point: PostgreSQL keeps them all; MariaDB's DECIMAL(65, 30) and SQLite's double cannot.
    const tiny = '3e-323';
    const s = db!.newSession();
    s.add(new Checked({ loose: tiny }));
    if (t.dialect === 'postgres') {
      await s.commit();
      const back = await db!.newSession().query(Checked).filter(Checked.loose.eq(tiny)).one();
      expect(back.loose).toBe(`0.${'0'.repeat(322)}3`);
    } else {
      const err: unknown = await s.commit().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(t.dialect === 'mysql' ? ArgumentError : DataError);
      expect((err as Error).message).toMatch(/^checked\.loose: /);
      expect((err as DataError).sql).toBeUndefined(); // refused as it was bound: its INSERT was never sent
    }
    await s.close();
  });

  it('String(n) counts characters, refuses longer strings, NUL and lone surrogates; trailing spaces are kept and compared', async () => {
    const { Checked } = await open();
    expect(() => new Checked({ code: 'abcdef' })).toThrow(
      /Checked\.code: a string of 6 characters is longer than String\(5\)/,
    );
    expect(() => new Checked({ body: 'a\u0000b' })).toThrow(/NUL/);
    expect(() => new Checked({ body: 'a\ud800' })).toThrow(/lone UTF-16 surrogate/);
    expect(() => Checked.body.eq('\udc00')).toThrow(ArgumentError);
    expect((await roundTrip(Checked, { code: '😀😀😀😀😀' })).code).toBe('😀😀😀😀😀');
    // 'alpha' and 'alpha ' are two values: UNIQUE holds both and equality tells them apart (MariaDB: NO PAD collation).
    await roundTrip(Checked, { code: 'alph' });
    await roundTrip(Checked, { code: 'alph ' });
    const s = db!.newSession();
    expect((await s.query(Checked).filter(Checked.code.eq('alph')).all()).map((r) => r.code)).toEqual(['alph']);
    expect((await s.query(Checked).filter(Checked.code.eq('alph ')).all()).map((r) => r.code)).toEqual(['alph ']);
    // A LIKE pattern may be longer than the column ('%lph %' is 6 characters in a String(5)).
    expect((await s.query(Checked).filter(Checked.code.like('%lph %')).all()).map((r) => r.code)).toEqual(['alph ']);
    s.add(new Checked({ code: 'alph ' }));
    await expect(s.commit()).rejects.toThrow(IntegrityError);
    await s.close();
  });

  it("Date: '0000-00-00', '9999-99-99' and Feb 30 are refused in values and filters; 0001-01-01 to 9999-12-31 round-trip", async () => {
    const { Checked } = await open();
    for (const day of ['0000-00-00', '9999-99-99', '2023-02-29', '2024-02-30', '2024-13-01', '0000-01-01'])
      expect(() => new Checked({ day })).toThrow(/Checked\.day: /);
    expect(() => Checked.query.filterBy({ day: '9999-99-99' })).toThrow(ArgumentError);
    expect((await roundTrip(Checked, { day: '0001-01-01' })).day).toBe('0001-01-01');
    expect((await roundTrip(Checked, { day: '9999-12-31' })).day).toBe('9999-12-31');
  });

  it('DateTime: invalid Dates and years past 9999 are refused (also as a function argument); milliseconds survive', async () => {
    const { Checked } = await open();
    expect(() => new Checked({ at: new Date(NaN) })).toThrow(/Checked\.at: got an invalid Date/);
    expect(() => new Checked({ at: new Date('+010000-01-01T00:00:00Z') })).toThrow(/outside years 0001–9999/);
    expect(() => func.coalesce(Checked.at, new Date(NaN) as never)).toThrow(/func\.coalesce\(\): got an invalid Date/);
    for (const iso of ['0001-01-01T00:00:00.001Z', '9999-12-31T23:59:59.999Z', '2024-05-06T07:08:09.123Z']) {
      const row = await roundTrip(Checked, { at: new Date(iso) });
      expect((row.at as Date).toISOString()).toBe(iso);
    }
  });

  it('JSON: booleans come back as booleans; Date, Map, BigInt, NaN, undefined and in-place changes that JSON cannot hold are refused', async () => {
    const { Checked } = await open();
    expect((await roundTrip(Checked, { doc: true })).doc).toBe(true);
    expect((await roundTrip(Checked, { doc: false })).doc).toBe(false);
    expect((await roundTrip(Checked, { doc: 2 ** 60 })).doc).toBe(2 ** 60);
    expect((await roundTrip(Checked, { doc: '2024-01-01 00:00:00' })).doc).toBe('2024-01-01 00:00:00');
    for (const doc of [new Date(0), new Map(), new Set(), 1n, { a: 1n }, [NaN], { a: undefined }, { s: '\ud800' }]) {
      expect(() => new Checked({ doc })).toThrow(ArgumentError);
      expect(() => new Checked({ doc })).toThrow(/Checked\.doc: /);
    }
    // Changed in place after it was assigned: refused as it is bound, and the row is not written.
    const s = db!.newSession();
    const doc = { n: 1 };
    s.add(new Checked({ doc }));
    doc.n = NaN;
    await expect(s.commit()).rejects.toThrow(/checked\.doc: a JSON value: \$\.n is NaN/);
    await s.close();
    expect(await db!.newSession().query(Checked).filter(Checked.doc.isNotNull()).count()).toBe(4);
  });

  // MariaDB only: the session settings it is about exist there alone.
  if (t.dialect === 'mysql')
    it('MariaDB sessions are strict for every table and refuse zero dates and division by zero', async () => {
      await open();
      const mode = (await db!.engine.execute({ sql: 'SELECT @@SESSION.sql_mode', params: [] })).rows[0]![0] as string;
      for (const m of [
        'STRICT_ALL_TABLES',
        'STRICT_TRANS_TABLES',
        'NO_ZERO_DATE',
        'NO_ZERO_IN_DATE',
        'ERROR_FOR_DIVISION_BY_ZERO',
      ])
        expect(mode.split(',')).toContain(m);
      // Raw SQL bypasses Relata's checks: the server itself now refuses what it used to store as a zero date.
      await expect(
        db!.engine.execute({ sql: "INSERT INTO `checked` (`day`) VALUES ('0000-00-00')", params: [] }),
      ).rejects.toThrow(DataError);
      await expect(
        db!.engine.execute({ sql: 'INSERT INTO `checked` (`n`) VALUES (1 / 0)', params: [] }),
      ).rejects.toThrow(DataError);
    });
});

/** Gives the server a zone other than UTC for new sessions; returns the undo. */
async function setServerZone(dialect: string, url: string): Promise<() => Promise<void>> {
  if (dialect === 'postgres') {
    const dbName = new URL(url).pathname.slice(1);
    const admin = new Database(url);
    await admin.engine.execute({ sql: `ALTER DATABASE "${dbName}" SET timezone TO 'Asia/Kolkata'`, params: [] });
    await admin.close();
    return async () => {};
  }
  if (dialect === 'mysql') {
    // Server-wide, so restored right after; Relata sessions set their own zone, others keep their default.
    const mysql = await import('mysql2/promise');
    const admin = await mysql.createConnection({ uri: url });
    const [rows] = await admin.query('SELECT @@GLOBAL.time_zone AS tz');
    const previous = (rows as { tz: string }[])[0]!.tz;
    await admin.query("SET GLOBAL time_zone = '+05:30'");
    await admin.end();
    return async () => {
      const c = await mysql.createConnection({ uri: url });
      await c.query('SET GLOBAL time_zone = ?', [previous]);
      await c.end();
    };
  }
  return async () => {};
}

/** The stored value of the 'gap' row as the server prints it in UTC. */
async function storedUtcText(dialect: string, url: string): Promise<string> {
  const db = new Database(url);
  try {
    const sql =
      dialect === 'postgres'
        ? `SELECT to_char("at" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM "moment" WHERE "label" = 'gap'`
        : "SELECT CAST(`at` AS CHAR) FROM `moment` WHERE `label` = 'gap'";
    const result = await db.engine.execute({ sql, params: [] });
    return String(result.rows[0]?.[0]);
  } finally {
    await db.close();
  }
}
