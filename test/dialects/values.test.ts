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
import { Database } from '../../src/index.js';
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
