/**
 * A few Chinook queries with echo on: every SQL statement Relata sends is printed before its result.
 * Runs on a temporary copy of the vendored SQLite file. `npx tsx examples/chinook/demo.ts`, or `main()`.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Database, joinedload, selectinload } from '../../src/index.js';
import { chinookModels } from './models.js';

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/chinook/Chinook_Sqlite.sqlite', import.meta.url));

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relata-chinook-demo-'));
  const file = join(dir, 'chinook.sqlite');
  copyFileSync(FIXTURE, file);
  const db = new Database(`sqlite:///${file}`, { echo: true, logger: (line) => log(`  ${line}`) });
  try {
    const { Artist, Album, Track, Employee, Customer, Invoice, InvoiceLine } = chinookModels(db);

    log('\n-- AC/DC, its albums and their tracks: selectinload, 3 statements');
    const acdc = await Artist.query
      .options(selectinload(Artist.albums).selectinload(Album.tracks))
      .filterBy({ Name: 'AC/DC' })
      .one();
    for (const album of acdc.albums) log(`${album.Title}: ${album.tracks.map((t) => t.Name).join(' / ')}`);

    log('\n-- The org chart: a two-level self-referential joinedload, 1 statement');
    const boss = await Employee.query
      .options(joinedload(Employee.reports).joinedload(Employee.reports))
      .filter(Employee.ReportsTo.isNull())
      .one();
    log(`${boss.FirstName} ${boss.LastName}, ${boss.Title}`);
    for (const r of boss.reports)
      log(`  ${r.FirstName} ${r.LastName} → ${r.reports.map((x) => x.LastName).join(', ')}`);

    log('\n-- Tracks by artist, joined through Album: the ON clauses follow the foreign keys');
    const n = await db.session.query(Track).join(Album).join(Artist).filter(Artist.Name.eq('Iron Maiden')).count();
    log(`Iron Maiden tracks: ${n}`);

    log('\n-- A customer, her invoices and their lines; decimals stay exact strings');
    const luis = await Customer.query
      .options(selectinload(Customer.invoices).selectinload(Invoice.lines).joinedload(InvoiceLine.track))
      .filterBy({ CustomerId: 1 })
      .one();
    for (const inv of luis.invoices.slice(0, 2)) {
      log(`Invoice ${inv.InvoiceId} on ${inv.InvoiceDate.toISOString().slice(0, 10)}, total ${inv.Total}`);
      for (const line of inv.lines) log(`  ${line.Quantity} × ${line.UnitPrice}  ${line.track!.Name}`);
    }
    log(`Support rep: ${(await luis.supportRep)?.FirstName ?? 'none'}`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
