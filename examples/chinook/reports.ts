/**
 * Reporting on Chinook with typed column queries and window functions: sales per genre per country
 * ranked within each country, the top genre of each country (a rank filtered in an outer select),
 * countries ranked by revenue, and genres with their track counts as [Genre, number] ORM rows.
 * Each query is written beside the SQL it runs (SQLite's spelling; PostgreSQL and MariaDB differ
 * only in quoting and names). `npx tsx examples/chinook/reports.ts` runs them with echo on.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Database, func, select, type Session } from '../../src/index.js';
import { chinookModels, type ChinookModels } from './models.js';

/** The report queries, built from the models (nothing runs until a session executes them). */
export function salesReports(m: ChinookModels) {
  const { Genre, Track, Invoice, InvoiceLine } = m;
  const tracksSold = func.sum(InvoiceLine.Quantity);

  // SELECT "Invoice"."BillingCountry", "Genre"."Name" AS "genre", sum("InvoiceLine"."Quantity") AS "tracks",
  //        sum("InvoiceLine"."UnitPrice") AS "sales",
  //        rank() OVER (PARTITION BY "Invoice"."BillingCountry" ORDER BY sum("InvoiceLine"."Quantity") DESC) AS "rank"
  // FROM "Invoice" JOIN "InvoiceLine" ON "InvoiceLine"."InvoiceId" = "Invoice"."InvoiceId"
  //      JOIN "Track" ON "Track"."TrackId" = "InvoiceLine"."TrackId" JOIN "Genre" ON "Track"."GenreId" = "Genre"."GenreId"
  // GROUP BY "Invoice"."BillingCountry", "Genre"."GenreId", "Genre"."Name"
  // ORDER BY "Invoice"."BillingCountry", "rank", "genre"
  const genreLabel = Genre.Name.label('genre');
  const rank = func.rank().over({ partitionBy: Invoice.BillingCountry, orderBy: tracksSold.desc() }).label('rank');
  const perGenrePerCountry = select(
    Invoice.BillingCountry,
    genreLabel,
    tracksSold.label('tracks'),
    func.sum(InvoiceLine.UnitPrice).label('sales'),
    rank,
  )
    .join(InvoiceLine)
    .join(Track, Track.TrackId.eq(InvoiceLine.TrackId))
    .join(Genre)
    .groupBy(Invoice.BillingCountry, Genre.GenreId, Genre.Name)
    .orderBy(Invoice.BillingCountry, rank, genreLabel);

  // SELECT "ranked"."country", "ranked"."genre", "ranked"."tracks"
  // FROM (SELECT "Invoice"."BillingCountry" AS "country", "Genre"."Name" AS "genre", sum(…) AS "tracks",
  //              row_number() OVER (PARTITION BY "Invoice"."BillingCountry" ORDER BY sum(…) DESC, "Genre"."Name") AS "place"
  //       FROM "Invoice" JOIN … GROUP BY …) AS "ranked"
  // WHERE "ranked"."place" = ? ORDER BY "ranked"."country"
  const ranked = select(
    Invoice.BillingCountry.label('country'),
    Genre.Name.label('genre'),
    tracksSold.label('tracks'),
    func
      .rowNumber()
      .over({ partitionBy: Invoice.BillingCountry, orderBy: [tracksSold.desc(), Genre.Name] })
      .label('place'),
  )
    .join(InvoiceLine)
    .join(Track, Track.TrackId.eq(InvoiceLine.TrackId))
    .join(Genre)
    .groupBy(Invoice.BillingCountry, Genre.GenreId, Genre.Name)
    .subquery('ranked');
  // A subquery's columns go by their labels: `ranked.c.country`.
  const col = (name: string) => ranked.c[name]!;
  const topGenrePerCountry = select(col('country'), col('genre'), col('tracks'))
    .where(col('place').eq(1))
    .orderBy(col('country'));

  // SELECT "Invoice"."BillingCountry", sum("Invoice"."Total") AS "revenue",
  //        dense_rank() OVER (ORDER BY sum("Invoice"."Total") DESC) AS "place"
  // FROM "Invoice" GROUP BY "Invoice"."BillingCountry" ORDER BY "place", "Invoice"."BillingCountry" LIMIT 5
  const revenue = func.sum(Invoice.Total);
  const place = func.denseRank().over({ orderBy: revenue.desc() }).label('place');
  const countriesByRevenue = select(Invoice.BillingCountry, revenue.label('revenue'), place)
    .groupBy(Invoice.BillingCountry)
    .orderBy(place, Invoice.BillingCountry)
    .limit(5);

  return { perGenrePerCountry, topGenrePerCountry, countriesByRevenue };
}

/**
 * Genres with the number of their tracks, as [Genre, number] rows: the objects are the session's own.
 * SELECT "Genre"."GenreId", "Genre"."Name", count("Track"."TrackId") AS "tracks"
 * FROM "Genre" JOIN "Track" ON "Genre"."GenreId" = "Track"."GenreId"
 * GROUP BY "Genre"."GenreId", "Genre"."Name" ORDER BY "tracks" DESC, "Genre"."GenreId" LIMIT 3
 */
export function biggestGenres(session: Session, m: ChinookModels) {
  const { Genre, Track } = m;
  const tracks = func.count(Track.TrackId).label('tracks');
  return session
    .query(Genre, tracks)
    .join(Genre.tracks)
    .groupBy(Genre.GenreId, Genre.Name)
    .orderBy(tracks.desc(), Genre.GenreId)
    .limit(3)
    .all();
}

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/chinook/Chinook_Sqlite.sqlite', import.meta.url));

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relata-chinook-reports-'));
  const file = join(dir, 'chinook.sqlite');
  copyFileSync(FIXTURE, file);
  const db = new Database(`sqlite:///${file}`, { echo: true, logger: (line) => log(`  ${line}`) });
  try {
    const m = chinookModels(db);
    const reports = salesReports(m);
    const session = db.newSession();

    log('\n-- Sales per genre per country, ranked within each country (first 5 rows)');
    for (const r of (await session.execute(reports.perGenrePerCountry)).slice(0, 5))
      log(`${r.BillingCountry} #${r.rank} ${r.genre}: ${r.tracks} tracks, ${r.sales}`);

    log('\n-- The top genre of each country (first 5)');
    for (const [country, genre, tracks] of (await session.execute(reports.topGenrePerCountry).tuples()).slice(0, 5))
      log(`${String(country)}: ${String(genre)} (${String(tracks)})`);

    log('\n-- Countries by revenue');
    for (const r of await session.execute(reports.countriesByRevenue))
      log(`#${r.place} ${r.BillingCountry}: ${r.revenue}`);

    log('\n-- The three biggest genres, as [Genre, number] rows');
    for (const [genre, tracks] of await biggestGenres(session, m)) log(`${genre.Name}: ${tracks} tracks`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
