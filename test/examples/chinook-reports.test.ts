/**
 * examples/chinook/reports.ts on every database: the window-ranked sales reports and the
 * [Genre, number] ORM rows, checked against the same figures computed from hand-written GROUP BY
 * SQL through the raw driver (the ranks computed here in JavaScript), one statement per report.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { Database, type RowOf } from '../../src/index.js';
import { chinookModels, type ChinookModels } from '../../examples/chinook/models.js';
import { biggestGenres, main, salesReports } from '../../examples/chinook/reports.js';
import { loadChinook, type ChinookSetup } from '../support/chinook.js';
import { describeEachDialect, itOn } from '../support/databases.js';

/** Rank within each partition by `value` descending, ties sharing a rank with gaps (SQL's rank()). */
function ranks(rows: { country: string; tracks: number }[]): Map<object, number> {
  const out = new Map<object, number>();
  for (const r of rows) {
    const better = rows.filter((o) => o.country === r.country && o.tracks > r.tracks).length;
    out.set(r, 1 + better);
  }
  return out;
}

describeEachDialect('examples/chinook reports', (t) => {
  const it = itOn(t);
  let setup: ChinookSetup;
  let db: Database;
  let m: ChinookModels;

  beforeAll(async () => {
    if (t.skipReason) return;
    setup = await loadChinook(t.dialect, t.url);
    db = new Database(setup.url, { nPlusOne: 'off' });
    m = chinookModels(db);
  }, 120_000);
  afterAll(async () => {
    if (t.skipReason) return;
    await db.close();
    await setup.dispose();
  });

  it('sales per genre per country with window ranks, in one statement, as the raw GROUP BY gives them', async () => {
    const { perGenrePerCountry } = salesReports(m);
    let rows: RowOf<typeof perGenrePerCountry.columns>[] = [];
    const n = await db.countQueries(async () => {
      rows = await db.newSession().execute(perGenrePerCountry);
    });
    expect(n).toBe(1);
    const raw = (
      await setup.raw.rows(
        `SELECT i."BillingCountry", g."Name", SUM(il."Quantity")
         FROM "Invoice" i JOIN "InvoiceLine" il ON il."InvoiceId" = i."InvoiceId"
         JOIN "Track" tr ON tr."TrackId" = il."TrackId" JOIN "Genre" g ON g."GenreId" = tr."GenreId"
         GROUP BY i."BillingCountry", g."GenreId", g."Name"`,
      )
    ).map(([country, genre, tracks]) => ({ country: String(country), genre: String(genre), tracks: Number(tracks) }));
    const rankOf = ranks(raw);
    // The database orders by its collation (MariaDB's ignores case): compare in one JavaScript order.
    type Named = { BillingCountry: string | null; genre: string | null };
    const order = (a: Named, b: Named) =>
      String(a.BillingCountry).localeCompare(String(b.BillingCountry), 'en') ||
      String(a.genre).localeCompare(String(b.genre), 'en');
    const expected = raw
      .map((r) => ({ BillingCountry: r.country, genre: r.genre, tracks: r.tracks, rank: rankOf.get(r)! }))
      .sort(order);
    // Sales are exact decimals: every track costs 0.99 or 1.99, so a sum has two decimals.
    for (const r of rows) expect(r.sales).toMatch(/^\d+\.\d{2}$/);
    const got = rows.map(({ BillingCountry, genre, tracks, rank }) => ({ BillingCountry, genre, tracks, rank }));
    expect(got.sort(order)).toEqual(expected);
    // Within a country, rows come by rank.
    for (let i = 1; i < rows.length; i++)
      if (rows[i]!.BillingCountry === rows[i - 1]!.BillingCountry)
        expect(rows[i]!.rank).toBeGreaterThanOrEqual(rows[i - 1]!.rank);
    expect(rows.find((r) => r.BillingCountry === 'USA' && r.rank === 1)).toMatchObject({ genre: 'Rock', tracks: 157 });
  });

  it('the top genre of each country: a row_number() filtered in an outer select', async () => {
    const { topGenrePerCountry } = salesReports(m);
    const top = await db.newSession().execute(topGenrePerCountry).tuples();
    expect(top).toHaveLength(24); // Chinook's 24 billing countries
    expect(top.slice(0, 3)).toEqual([
      ['Argentina', 'Alternative & Punk', 9], // tied with Rock at 9: the name breaks the tie
      ['Australia', 'Rock', 22],
      ['Austria', 'Rock', 15],
    ]);
  });

  it('countries by revenue with dense_rank(), exact decimals', async () => {
    const rows = await db.newSession().execute(salesReports(m).countriesByRevenue);
    expect(rows).toEqual([
      { BillingCountry: 'USA', revenue: '523.06', place: 1 },
      { BillingCountry: 'Canada', revenue: '303.96', place: 2 },
      { BillingCountry: 'France', revenue: '195.10', place: 3 },
      { BillingCountry: 'Brazil', revenue: '190.10', place: 4 },
      { BillingCountry: 'Germany', revenue: '156.48', place: 5 },
    ]);
  });

  it('the biggest genres as [Genre, number] rows, the objects the session already holds', async () => {
    const s = db.newSession();
    const rock = await s.query(m.Genre).filterBy({ GenreId: 1 }).one();
    const rows = await biggestGenres(s, m);
    expect(rows.map(([g, n]) => [g.Name, n])).toEqual([
      ['Rock', 1297],
      ['Latin', 579],
      ['Metal', 374],
    ]);
    expect(rows[0]![0]).toBe(rock);
  });

  it('the script runs (on its SQLite copy) and prints each query beside its SQL', async () => {
    if (t.dialect !== 'sqlite') return;
    const lines: string[] = [];
    await main((l) => lines.push(l));
    expect(lines.filter((l) => l.includes('[SQL] SELECT'))).toHaveLength(4);
    expect(lines).toContain('#1 USA: 523.06');
  });
});
