/**
 * Chinook, mapped with Relata models, against the same data read with hand-written SQL through the
 * raw driver: every relationship shape (one-to-many chains, many-to-many through a composite-key
 * table, a self-reference, a second foreign key to Employee), every loader strategy with its
 * statement count, joins, EXISTS filters, exact decimals and dates.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Database, containsEager, func, joinedload, not_, selectColumns, selectinload } from '../src/index.js';
import { chinookModels, type ChinookModels } from '../examples/chinook/models.js';
import {
  dateText,
  loadChinook,
  scriptTables,
  sqliteFixtureTables,
  sumMoney,
  type ChinookSetup,
  type RawChinook,
} from './support/chinook.js';
import { describeEachDialect, itOn } from './support/databases.js';

/** Groups rows by the value in column `i`, keeping first-seen order. */
function groupBy<R extends unknown[]>(rows: R[], i: number): Map<unknown, R[]> {
  const out = new Map<unknown, R[]>();
  for (const r of rows) {
    const k = r[i];
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

describe('Chinook models', () => {
  /** Every table of the models' metadata with its column names, and the columns of its primary key. */
  const mapped = (naming: 'PascalCase' | 'snake_case') => {
    const db = new Database('sqlite://');
    chinookModels(db, naming);
    return new Map(
      [...db.registry.metadata.tables.values()].map((table) => [
        table.name,
        { columns: table.columns.map((c) => c.name), primaryKey: table.primaryKey.map((c) => c.name) },
      ]),
    );
  };

  test('name every table and column as the SQLite file and the MySQL script do (PascalCase)', () => {
    expect(mapped('PascalCase')).toEqual(sqliteFixtureTables());
    expect(mapped('PascalCase')).toEqual(scriptTables('Chinook_MySql.sql'));
  });

  test('name every table and column as the PostgreSQL script does (snake_case)', () => {
    const pg = scriptTables('Chinook_PostgreSql.sql');
    expect(pg.get('playlist_track')).toEqual({
      columns: ['playlist_id', 'track_id'],
      primaryKey: ['playlist_id', 'track_id'],
    });
    expect(mapped('snake_case')).toEqual(pg);
  });

  test('default to the naming of the official script for the dialect', () => {
    const db = new Database('sqlite://');
    expect(chinookModels(db).Album.__table__.name).toBe('Album');
  });
});

describeEachDialect('Chinook', (t) => {
  const it = itOn(t);
  let setup: ChinookSetup | null = null;
  let db: Database;
  let m: ChinookModels;
  let raw: RawChinook;
  const warnings: string[] = [];

  beforeAll(async () => {
    if (t.skipReason) return;
    setup = await loadChinook(t.dialect, t.url);
    raw = setup.raw;
    db = new Database(setup.url, { nPlusOne: 'warn', warn: (msg) => warnings.push(msg) });
    m = chinookModels(db);
  });
  afterEach(async () => {
    // A fresh identity map for every test, so statement counts never benefit from an earlier test.
    if (setup) await db.session.close();
    warnings.length = 0;
  });
  afterAll(async () => {
    if (!setup) return;
    await db.close();
    await setup.dispose();
  });

  /** Raw integers come back as number, bigint or numeric string depending on the driver. */
  const ints = (rows: unknown[][], i = 0) => rows.map((r) => Number(r[i]));

  it('counts the rows of every table as raw SQL does', async () => {
    const { Artist, Album, Track, Genre, MediaType, Playlist, Employee, Customer, Invoice, InvoiceLine } = m;
    const models = { Artist, Album, Track, Genre, MediaType, Playlist, Employee, Customer, Invoice, InvoiceLine };
    const counts: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const [name, model] of Object.entries(models)) {
      counts[name] = await model.query.count();
      expected[name] = ints(await raw.rows(`SELECT COUNT(*) FROM "${name}"`))[0]!;
    }
    expect(counts).toEqual(expected);
    // The well-known Chinook sizes, so an empty or half-loaded database cannot pass.
    expect(counts).toMatchObject({
      Artist: 275,
      Album: 347,
      Track: 3503,
      Playlist: 18,
      Employee: 8,
      Customer: 59,
      Invoice: 412,
      InvoiceLine: 2240,
    });
  });

  it('maps PlaylistTrack with its composite primary key', () => {
    expect(m.playlistTrack.primaryKey.map((c) => c.name.toLowerCase().replace('_', ''))).toEqual([
      'playlistid',
      'trackid',
    ]);
  });

  it('artists → albums → tracks with chained selectinload: 3 statements, same tree as a raw join', async () => {
    const { Artist, Album } = m;
    let artists: Awaited<ReturnType<typeof load>> = [];
    const load = () =>
      Artist.query.options(selectinload(Artist.albums).selectinload(Album.tracks)).orderBy(Artist.ArtistId).all();
    const n = await db.countQueries(async () => {
      artists = await load();
    });
    expect(n).toBe(3); // artists; albums of 275 artists; tracks of 347 albums (each one IN list)
    const got = artists.map((a) => ({
      id: a.ArtistId,
      name: a.Name,
      albums: a.albums.map((al) => ({
        id: al.AlbumId,
        title: al.Title,
        tracks: al.tracks.map((tr) => [tr.TrackId, tr.Name, tr.UnitPrice]),
      })),
    }));
    const rows = await raw.rows(
      `SELECT ar."ArtistId", ar."Name", al."AlbumId", al."Title", t."TrackId", t."Name", ${raw.moneyText('t."UnitPrice"')}
       FROM "Artist" ar LEFT JOIN "Album" al ON al."ArtistId" = ar."ArtistId" LEFT JOIN "Track" t ON t."AlbumId" = al."AlbumId"
       ORDER BY ar."ArtistId", al."AlbumId", t."TrackId"`,
    );
    const expected = [...groupBy(rows, 0).values()].map((ar) => ({
      id: ar[0]![0],
      name: ar[0]![1],
      albums:
        ar[0]![2] === null
          ? []
          : [...groupBy(ar, 2).values()].map((al) => ({
              id: al[0]![2],
              title: al[0]![3],
              tracks: al[0]![4] === null ? [] : al.map((r) => [r[4], r[5], r[6]]),
            })),
    }));
    expect(got).toEqual(expected);
    const acdc = got.find((a) => a.name === 'AC/DC')!;
    expect(acdc.albums.map((a) => a.title)).toEqual(['For Those About To Rock We Salute You', 'Let There Be Rock']);
    expect(acdc.albums[0]!.tracks[0]).toEqual([1, 'For Those About To Rock (We Salute You)', '0.99']);
  });

  it('joinedload(Album.tracks) is 1 statement; joinedload(Artist.albums).selectinload(Album.tracks) is 2', async () => {
    const { Artist, Album } = m;
    const s1 = db.newSession();
    let albums: Awaited<ReturnType<typeof loadAlbums>> = [];
    const loadAlbums = () => s1.query(Album).options(joinedload(Album.tracks)).orderBy(Album.AlbumId).all();
    expect(await db.countQueries(async () => void (albums = await loadAlbums()))).toBe(1);
    const rows = await raw.rows(
      `SELECT "AlbumId", "TrackId" FROM "Track" WHERE "AlbumId" IS NOT NULL ORDER BY "AlbumId", "TrackId"`,
    );
    const byAlbum = groupBy(rows, 0);
    expect(albums).toHaveLength(347);
    expect(albums.map((a) => [a.AlbumId, a.tracks.map((tr) => tr.TrackId)])).toEqual(
      albums.map((a) => [a.AlbumId, (byAlbum.get(a.AlbumId) ?? []).map((r) => r[1])]),
    );
    await s1.close();

    const s2 = db.newSession();
    let artists: Awaited<ReturnType<typeof loadArtists>> = [];
    const loadArtists = () =>
      s2
        .query(Artist)
        .options(joinedload(Artist.albums).selectinload(Album.tracks))
        .filter(Artist.Name.in(['AC/DC', 'Aerosmith']))
        .orderBy(Artist.ArtistId)
        .all();
    expect(await db.countQueries(async () => void (artists = await loadArtists()))).toBe(2);
    expect(artists.map((a) => [a.Name, a.albums.map((al) => [al.Title, al.tracks.length])])).toEqual([
      [
        'AC/DC',
        [
          ['For Those About To Rock We Salute You', 10],
          ['Let There Be Rock', 8],
        ],
      ],
      ['Aerosmith', [['Big Ones', 15]]],
    ]);
    await s2.close();
  });

  it('joinedload with limit/offset pages artists, not joined rows; containsEager fills from a written join', async () => {
    const { Artist, Album, Genre, Track } = m;
    let page: Awaited<ReturnType<typeof loadPage>> = [];
    const loadPage = () =>
      Artist.query.options(joinedload(Artist.albums)).orderBy(Artist.ArtistId).limit(5).offset(20).all();
    expect(await db.countQueries(async () => void (page = await loadPage()))).toBe(1);
    const rows = await raw.rows(
      `SELECT ar."ArtistId", al."AlbumId"
       FROM (SELECT "ArtistId" FROM "Artist" ORDER BY "ArtistId" LIMIT 5 OFFSET 20) ar
       LEFT JOIN "Album" al ON al."ArtistId" = ar."ArtistId" ORDER BY ar."ArtistId", al."AlbumId"`,
    );
    expect(page.map((a) => [a.ArtistId, a.albums.map((al) => al.AlbumId)])).toEqual(
      [...groupBy(rows, 0).entries()].map(([id, rs]) => [id, rs.filter((r) => r[1] !== null).map((r) => r[1])]),
    );
    expect(page.map((a) => a.ArtistId)).toEqual([21, 22, 23, 24, 25]);

    const s = db.newSession();
    let albums: Awaited<ReturnType<typeof loadAlbums>> = [];
    const loadAlbums = () =>
      s
        .query(Album)
        .join(Album.artist)
        .options(containsEager(Album.artist))
        .filter(Artist.Name.like('Iron%'))
        .orderBy(Album.AlbumId)
        .all();
    expect(await db.countQueries(async () => void (albums = await loadAlbums()))).toBe(1);
    const iron = await raw.rows(
      `SELECT al."AlbumId", ar."Name" FROM "Album" al JOIN "Artist" ar ON ar."ArtistId" = al."ArtistId" WHERE ar."Name" LIKE ? ORDER BY al."AlbumId"`,
      ['Iron%'],
    );
    expect(albums.map((a) => [a.AlbumId, a.artist!.Name])).toEqual(iron);

    // selectinload of a many-to-one whose targets are all in the identity map runs no second query.
    await s.query(Genre).all();
    let tracks: Awaited<ReturnType<typeof loadTracks>> = [];
    const loadTracks = () => s.query(Track).options(selectinload(Track.genre)).filter(Track.AlbumId.eq(1)).all();
    expect(await db.countQueries(async () => void (tracks = await loadTracks()))).toBe(1);
    expect(tracks.map((tr) => tr.genre!.Name)).toEqual(Array(10).fill('Rock'));
    await s.close();
  });

  it('a lazy loop over N artists is 1 + N statements and reports the N+1 once', async () => {
    const { Artist } = m;
    const got: [string | null, string[]][] = [];
    const n = await db.countQueries(async () => {
      const artists = await Artist.query.orderBy(Artist.ArtistId).limit(10).all();
      for (const a of artists) got.push([a.Name, (await a.albums).map((al) => al.Title)]);
    });
    expect(n).toBe(1 + 10);
    const rows = await raw.rows(
      `SELECT ar."Name", al."Title" FROM "Artist" ar LEFT JOIN "Album" al ON al."ArtistId" = ar."ArtistId"
       WHERE ar."ArtistId" <= 10 ORDER BY ar."ArtistId", al."AlbumId"`,
    );
    const expected = [...groupBy(rows, 0).entries()].map(([name, rs]) => [
      name,
      rs.filter((r) => r[1] !== null).map((r) => r[1]),
    ]);
    expect(got).toEqual(expected);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Artist.albums');
    expect(warnings[0]).toContain('selectinload');
  });

  it('get() and many-to-one lazy loads of objects already loaded cost 0 statements', async () => {
    const { Artist, Album } = m;
    const artists = await Artist.query.all();
    const albums = await Album.query.orderBy(Album.AlbumId).all();
    const n = await db.countQueries(async () => {
      expect(await db.session.get(Artist, 1)).toBe(artists[0]);
      expect(await Artist.query.get(275)).toBe(artists.find((a) => a.ArtistId === 275));
      // album.artist is a many-to-one by primary key: answered from the identity map.
      for (const al of albums) expect((await al.artist)!.ArtistId).toBe(al.ArtistId);
    });
    expect(n).toBe(0);
    expect(warnings).toEqual([]);
    expect((await albums[0]!.artist)!.Name).toBe('AC/DC');
  });

  it('playlists ↔ tracks through PlaylistTrack, from both sides, as raw SQL reads it', async () => {
    const { Playlist, Track } = m;
    let playlists: Awaited<ReturnType<typeof load>> = [];
    const load = () => Playlist.query.options(selectinload(Playlist.tracks)).orderBy(Playlist.PlaylistId).all();
    expect(await db.countQueries(async () => void (playlists = await load()))).toBe(2);
    const rows = await raw.rows(`SELECT "PlaylistId", "TrackId" FROM "PlaylistTrack" ORDER BY "PlaylistId", "TrackId"`);
    const byPlaylist = groupBy(rows, 0);
    const names = await raw.rows(`SELECT "PlaylistId", "Name" FROM "Playlist" ORDER BY "PlaylistId"`);
    expect(playlists.map((p) => [p.PlaylistId, p.Name, p.tracks.map((tr) => tr.TrackId)])).toEqual(
      names.map(([id, name]) => [id, name, (byPlaylist.get(id) ?? []).map((r) => r[1])]),
    );
    expect(playlists.filter((p) => p.tracks.length === 0).length).toBeGreaterThan(0); // empty playlists load as []
    expect(playlists.reduce((acc, p) => acc + p.tracks.length, 0)).toBe(rows.length);

    // The other side, joined: one statement through the association table.
    const s = db.newSession();
    let tracks: Awaited<ReturnType<typeof loadTracks>> = [];
    const loadTracks = () =>
      s
        .query(Track)
        .options(joinedload(Track.playlists))
        .filter(Track.TrackId.in([1, 2, 3, 1000, 3503]))
        .orderBy(Track.TrackId)
        .all();
    expect(await db.countQueries(async () => void (tracks = await loadTracks()))).toBe(1);
    const back = await raw.rows(
      `SELECT "TrackId", "PlaylistId" FROM "PlaylistTrack" WHERE "TrackId" IN (1, 2, 3, 1000, 3503) ORDER BY "TrackId", "PlaylistId"`,
    );
    const byTrack = groupBy(back, 0);
    expect(tracks.map((tr) => [tr.TrackId, tr.playlists.map((p) => p.PlaylistId)])).toEqual(
      [1, 2, 3, 1000, 3503].map((id) => [id, (byTrack.get(id) ?? []).map((r) => r[1])]),
    );
    // Both sides hold the very same objects: the identity map is per session.
    expect(tracks[0]!.playlists[0]).toBe(
      tracks[1]!.playlists.find((p) => p.PlaylistId === tracks[0]!.playlists[0]!.PlaylistId),
    );
    await s.close();
  });

  it('selectinload puts all 3503 tracks in one IN list (under the driver parameter limit): 2 statements', async () => {
    const { Track } = m;
    const events = await db.recordQueries(async () => {
      const tracks = await Track.query.options(selectinload(Track.playlists)).all();
      expect(tracks).toHaveLength(3503);
      const links = tracks.reduce((acc, tr) => acc + tr.playlists.length, 0);
      expect(links).toBe(ints(await raw.rows(`SELECT COUNT(*) FROM "PlaylistTrack"`))[0]);
    });
    expect(events).toHaveLength(2);
    expect(events[1]!.params).toHaveLength(3503);
  });

  it('employees ↔ manager/reports: self-referential joinedload and selectinload', async () => {
    const { Employee } = m;
    const rows = await raw.rows(
      `SELECT e."EmployeeId", e."FirstName", e."LastName", e."ReportsTo", mg."LastName", ${raw.dateText('e."HireDate"')}
       FROM "Employee" e LEFT JOIN "Employee" mg ON mg."EmployeeId" = e."ReportsTo" ORDER BY e."EmployeeId"`,
    );
    let employees: Awaited<ReturnType<typeof load>> = [];
    const load = () => Employee.query.options(joinedload(Employee.manager)).orderBy(Employee.EmployeeId).all();
    expect(await db.countQueries(async () => void (employees = await load()))).toBe(1);
    expect(
      employees.map((e) => [
        e.EmployeeId,
        e.FirstName,
        e.LastName,
        e.ReportsTo,
        e.manager?.LastName ?? null,
        dateText(e.HireDate),
      ]),
    ).toEqual(rows);
    expect(employees[0]!.manager).toBeNull(); // Andrew Adams, the general manager, reports to no one
    for (const e of employees)
      if (e.manager) expect(e.manager).toBe(employees.find((x) => x.EmployeeId === e.ReportsTo));

    const s = db.newSession();
    let withReports: Awaited<ReturnType<typeof loadReports>> = [];
    const loadReports = () =>
      s.query(Employee).options(selectinload(Employee.reports)).orderBy(Employee.EmployeeId).all();
    expect(await db.countQueries(async () => void (withReports = await loadReports()))).toBe(2);
    const reportsOf = groupBy(
      rows.filter((r) => r[3] !== null),
      3,
    );
    expect(withReports.map((e) => [e.EmployeeId, e.reports.map((r) => r.EmployeeId)])).toEqual(
      rows.map((r) => [r[0], (reportsOf.get(r[0]) ?? []).map((x) => x[0])]),
    );
    await s.close();
  });

  it('a two-level self-referential joinedload builds the org chart in 1 statement', async () => {
    const { Employee } = m;
    let top: Awaited<ReturnType<typeof load>> = null;
    const load = () =>
      Employee.query
        .options(joinedload(Employee.reports).joinedload(Employee.reports))
        .filter(Employee.ReportsTo.isNull())
        .oneOrNone();
    expect(await db.countQueries(async () => void (top = await load()))).toBe(1);
    const chart = {
      name: top!.LastName,
      reports: top!.reports.map((r) => ({ name: r.LastName, reports: r.reports.map((rr) => rr.LastName) })),
    };
    const rows = await raw.rows(
      `SELECT a."LastName", b."LastName", c."LastName" FROM "Employee" a
       LEFT JOIN "Employee" b ON b."ReportsTo" = a."EmployeeId" LEFT JOIN "Employee" c ON c."ReportsTo" = b."EmployeeId"
       WHERE a."ReportsTo" IS NULL ORDER BY b."EmployeeId", c."EmployeeId"`,
    );
    expect(chart).toEqual({
      name: rows[0]![0],
      reports: [...groupBy(rows, 1).entries()].map(([name, rs]) => ({
        name,
        reports: rs.filter((r) => r[2] !== null).map((r) => r[2]),
      })),
    });
    expect(chart.name).toBe('Adams');
    expect(chart.reports.map((r) => r.name)).toEqual(['Edwards', 'Mitchell']);
  });

  it('customers → invoices → lines → track: 3 statements, exact totals equal raw SUMs', async () => {
    const { Customer, Invoice, InvoiceLine } = m;
    let customers: Awaited<ReturnType<typeof load>> = [];
    const load = () =>
      Customer.query
        .options(selectinload(Customer.invoices).selectinload(Invoice.lines).joinedload(InvoiceLine.track))
        .orderBy(Customer.CustomerId)
        .all();
    expect(await db.countQueries(async () => void (customers = await load()))).toBe(3);

    // Per customer: invoice ids, and the sum of their totals, to the cent.
    const perCustomer = await raw.rows(
      `SELECT c."CustomerId", c."LastName", COUNT(i."InvoiceId"), ${raw.moneyText('SUM(i."Total")')}
       FROM "Customer" c LEFT JOIN "Invoice" i ON i."CustomerId" = c."CustomerId"
       GROUP BY c."CustomerId", c."LastName" ORDER BY c."CustomerId"`,
    );
    expect(
      customers.map((c) => [c.CustomerId, c.LastName, c.invoices.length, sumMoney(c.invoices.map((i) => i.Total))]),
    ).toEqual(perCustomer.map((r) => [r[0], r[1], Number(r[2]), r[3]]));

    // Per invoice: the lines, and each total equal to Σ UnitPrice × Quantity exactly.
    const lines = await raw.rows(
      `SELECT il."InvoiceId", il."InvoiceLineId", il."TrackId", t."Name", ${raw.moneyText('il."UnitPrice"')}, il."Quantity"
       FROM "InvoiceLine" il JOIN "Track" t ON t."TrackId" = il."TrackId" ORDER BY il."InvoiceId", il."InvoiceLineId"`,
    );
    const linesOf = groupBy(lines, 0);
    const invoices = customers.flatMap((c) => c.invoices).sort((a, b) => a.InvoiceId - b.InvoiceId);
    expect(invoices).toHaveLength(412);
    expect(
      invoices.map((i) => [
        i.InvoiceId,
        i.lines.map((l) => [l.InvoiceId, l.InvoiceLineId, l.TrackId, l.track!.Name, l.UnitPrice, l.Quantity]),
      ]),
    ).toEqual(invoices.map((i) => [i.InvoiceId, linesOf.get(i.InvoiceId) ?? []]));
    for (const i of invoices) {
      expect(sumMoney(i.lines.flatMap((l) => Array<string>(l.Quantity).fill(l.UnitPrice)))).toBe(i.Total);
    }
    const [grand] = await raw.rows(`SELECT ${raw.moneyText('SUM("Total")')} FROM "Invoice"`);
    expect(sumMoney(invoices.map((i) => i.Total))).toBe(grand![0]);
    expect(grand![0]).toBe('2328.60');
  });

  it('func.sum/max/min of a Numeric column are exact decimal strings, as raw SQL computes them', async () => {
    const { Invoice } = m;
    const stmt = selectColumns(
      Invoice.CustomerId.label('id'),
      func.sum(Invoice.Total).label('spent'),
      func.max(Invoice.Total).label('biggest'),
      func.min(Invoice.Total).label('smallest'),
    )
      .with({ groupBy: [Invoice.CustomerId] })
      .orderByAlso(Invoice.CustomerId);
    const got = await db.session.execute(stmt);
    const rows = await raw.rows(
      `SELECT "CustomerId", ${raw.moneyText('SUM("Total")')}, ${raw.moneyText('MAX("Total")')}, ${raw.moneyText('MIN("Total")')}
       FROM "Invoice" GROUP BY "CustomerId" ORDER BY "CustomerId"`,
    );
    expect(got.map((r) => [r.id, r.spent, r.biggest, r.smallest])).toEqual(rows);
    const [all] = await db.session.execute(selectColumns(func.sum(Invoice.Total).label('total')));
    expect(all!.total).toBe('2328.60'); // a float sum would be 2328.600000000004 on SQLite
  });

  it('customers → supportRep (a second foreign key to Employee) and back', async () => {
    const { Customer, Employee } = m;
    let reps: Awaited<ReturnType<typeof load>> = [];
    const load = () =>
      Employee.query
        .options(selectinload(Employee.customers))
        .filter(Employee.customers.any())
        .orderBy(Employee.EmployeeId)
        .all();
    expect(await db.countQueries(async () => void (reps = await load()))).toBe(2);
    const rows = await raw.rows(
      `SELECT "SupportRepId", "CustomerId" FROM "Customer" WHERE "SupportRepId" IS NOT NULL ORDER BY "SupportRepId", "CustomerId"`,
    );
    expect(reps.map((e) => [e.EmployeeId, e.customers.map((c) => c.CustomerId)])).toEqual(
      [...groupBy(rows, 0).entries()].map(([id, rs]) => [id, rs.map((r) => r[1])]),
    );
    // Every customer's rep is already in the identity map: the many-to-one costs nothing.
    const customers = reps.flatMap((e) => e.customers);
    expect(customers).toHaveLength(59);
    const n = await db.countQueries(async () => {
      for (const c of customers) expect(await c.supportRep).toBe(reps.find((e) => e.EmployeeId === c.SupportRepId));
    });
    expect(n).toBe(0);
    const jane = await Customer.query.filterBy({ Email: 'luisg@embraer.com.br' }).one();
    expect((await jane.supportRep)!.FirstName).toBe('Jane');
  });

  it("join with a filter: AC/DC's tracks through Album and Artist", async () => {
    const { Track, Album, Artist } = m;
    const tracks = await db.session
      .query(Track)
      .join(Album)
      .join(Artist)
      .filter(Artist.Name.eq('AC/DC'))
      .orderBy(Track.TrackId)
      .all();
    const rows = await raw.rows(
      `SELECT t."TrackId", t."Name", t."AlbumId" FROM "Track" t JOIN "Album" al ON al."AlbumId" = t."AlbumId"
       JOIN "Artist" ar ON ar."ArtistId" = al."ArtistId" WHERE ar."Name" = ? ORDER BY t."TrackId"`,
      ['AC/DC'],
    );
    expect(tracks.map((tr) => [tr.TrackId, tr.Name, tr.AlbumId])).toEqual(rows);
    expect(tracks).toHaveLength(18);
    expect(await db.session.query(Track).join(Album).join(Artist).filter(Artist.Name.eq('AC/DC')).count()).toBe(18);
    // Along relationships, and through the association table.
    const inGrunge = await db.session
      .query(Artist)
      .join(Artist.albums)
      .join(Album.tracks)
      .join(Track.playlists)
      .filter(m.Playlist.Name.eq('Grunge'))
      .distinct()
      .orderBy(Artist.Name)
      .all();
    const grungeRows = await raw.rows(
      `SELECT DISTINCT ar."Name" FROM "Artist" ar JOIN "Album" al ON al."ArtistId" = ar."ArtistId"
       JOIN "Track" t ON t."AlbumId" = al."AlbumId" JOIN "PlaylistTrack" pt ON pt."TrackId" = t."TrackId"
       JOIN "Playlist" p ON p."PlaylistId" = pt."PlaylistId" WHERE p."Name" = ? ORDER BY ar."Name"`,
      ['Grunge'],
    );
    expect(inGrunge.map((a) => a.Name)).toEqual(grungeRows.map((r) => r[0]));
    expect(inGrunge.map((a) => a.Name)).toContain('Pearl Jam');
  });

  it('any() and has() compile to EXISTS and match raw EXISTS', async () => {
    const { Artist, Album, Playlist, Track, Employee } = m;
    const rockers = await Artist.query
      .filter(Artist.albums.any(Album.Title.like('%Rock%')))
      .orderBy(Artist.ArtistId)
      .all();
    const rockRows = await raw.rows(
      `SELECT ar."ArtistId" FROM "Artist" ar WHERE EXISTS (SELECT 1 FROM "Album" al WHERE al."ArtistId" = ar."ArtistId" AND al."Title" LIKE ?) ORDER BY ar."ArtistId"`,
      ['%Rock%'],
    );
    expect(rockers.map((a) => a.ArtistId)).toEqual(ints(rockRows));
    expect(rockers.map((a) => a.Name)).toContain('AC/DC');

    const noAlbums = await Artist.query.filter(not_(Artist.albums.any())).count();
    const [noAlbumRows] = await raw.rows(
      `SELECT COUNT(*) FROM "Artist" ar WHERE NOT EXISTS (SELECT 1 FROM "Album" al WHERE al."ArtistId" = ar."ArtistId")`,
    );
    expect(noAlbums).toBe(Number(noAlbumRows![0]));
    expect(noAlbums).toBe(71);

    const withTrack1 = await Playlist.query
      .filter(Playlist.tracks.any(Track.TrackId.eq(1)))
      .orderBy(Playlist.PlaylistId)
      .all();
    expect(withTrack1.map((p) => p.PlaylistId)).toEqual(
      ints(await raw.rows(`SELECT "PlaylistId" FROM "PlaylistTrack" WHERE "TrackId" = 1 ORDER BY "PlaylistId"`)),
    );

    const byAcdc = await Album.query
      .filter(Album.artist.has(Artist.Name.eq('AC/DC')))
      .orderBy(Album.AlbumId)
      .all();
    expect(byAcdc.map((a) => a.Title)).toEqual(['For Those About To Rock We Salute You', 'Let There Be Rock']);

    // Self-referential: managers of at least one Sales Support Agent.
    const managers = await Employee.query.filter(Employee.reports.any(Employee.Title.eq('Sales Support Agent'))).all();
    const managerRows = await raw.rows(
      `SELECT e."EmployeeId" FROM "Employee" e WHERE EXISTS (SELECT 1 FROM "Employee" r WHERE r."ReportsTo" = e."EmployeeId" AND r."Title" = ?)`,
      ['Sales Support Agent'],
    );
    expect(managers.map((e) => e.EmployeeId)).toEqual(ints(managerRows));
    expect(managers.map((e) => e.LastName)).toEqual(['Edwards']);
  });

  it('reads DATETIME as the UTC instant the scripts wrote, whatever the process time zone', async () => {
    const { Employee, Invoice } = m;
    const tz = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const s = db.newSession();
      const employees = await s.query(Employee).orderBy(Employee.EmployeeId).all();
      const rows = await raw.rows(
        `SELECT ${raw.dateText('"BirthDate"')}, ${raw.dateText('"HireDate"')} FROM "Employee" ORDER BY "EmployeeId"`,
      );
      expect(employees.map((e) => [dateText(e.BirthDate), dateText(e.HireDate)])).toEqual(rows);
      const first = await s.query(Invoice).orderBy(Invoice.InvoiceId).first();
      expect(first!.InvoiceDate.getTime()).toBe(Date.UTC(2021, 0, 1));
      await s.close();
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
  });

  // SQLite compares DATETIME text as text: Relata writes SQLite's own form ('2022-01-08 00:00:00',
  // as Chinook stores it), so bounds include and exclude exactly the rows raw SQL does.
  it('filters DATETIME columns by a Date as raw SQL does, bounds included/excluded exactly', async () => {
    const { Invoice } = m;
    // Two invoices on each bound: 2022-01-08 must be in, 2022-02-08 out.
    const from = new Date(Date.UTC(2022, 0, 8));
    const to = new Date(Date.UTC(2022, 1, 8));
    const got = await Invoice.query
      .filter(Invoice.InvoiceDate.ge(from), Invoice.InvoiceDate.lt(to))
      .orderBy(Invoice.InvoiceId)
      .all();
    const rows = await raw.rows(
      `SELECT "InvoiceId", ${raw.dateText('"InvoiceDate"')} FROM "Invoice" WHERE "InvoiceDate" >= ? AND "InvoiceDate" < ? ORDER BY "InvoiceId"`,
      ['2022-01-08 00:00:00', '2022-02-08 00:00:00'],
    );
    expect(rows.filter((r) => r[1] === '2022-01-08 00:00:00')).toHaveLength(2);
    expect(rows.every((r) => (r[1] as string) < '2022-02-08')).toBe(true);
    expect(got.map((i) => [i.InvoiceId, dateText(i.InvoiceDate)])).toEqual(rows);
  });
});
