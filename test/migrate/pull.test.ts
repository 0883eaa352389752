/**
 * `relata pull`: Chinook, loaded from the dataset's own scripts on every database, is reflected and
 * written as a models module; the module compiles under the repository's strict settings, imports,
 * declares the schema the database has, and answers the queries of examples/chinook/demo.ts with the
 * same rows (and statement counts) as the hand-written models.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  Database,
  joinedload,
  reflectMetaData,
  renderModelsModule,
  selectinload,
  type ReflectedMetaData,
  type Table,
} from '../../src/index.js';
import { chinookModels, type ChinookModels } from '../../examples/chinook/models.js';
import { loadChinook, type ChinookSetup } from '../support/chinook.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { pulledModulesDir, shapeOf, typeCheck } from './pull-support.js';

type Pulled = typeof import('../../examples/chinook/pulled.js');

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');
const GOLDEN = join(ROOT, 'examples/chinook/pulled.ts');
const OUT = pulledModulesDir();

const GOLDEN_HEADER = [
  "Chinook's models as `relata pull` writes them from the SQLite file (test/migrate/pull.test.ts checks",
  'that this is what it writes). Compare with models.ts, written by hand.',
].join('\n');

async function formatted(source: string): Promise<string> {
  const options = (await prettier.resolveConfig(GOLDEN)) ?? {};
  return prettier.format(source, { ...options, parser: 'typescript' });
}

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/** The demo's questions, asked through the hand-written models (PascalCase attributes). */
async function handWrittenAnswers(db: Database, m: ChinookModels) {
  const { Artist, Album, Track, Employee, Customer, Invoice, InvoiceLine, Playlist } = m;
  const statements: number[] = [];
  const counted = async <T>(fn: () => Promise<T>): Promise<T> => {
    let out: T | undefined;
    statements.push(await db.countQueries(async () => void (out = await fn())));
    return out!;
  };
  const acdc = await counted(() =>
    Artist.query.options(selectinload(Artist.albums).selectinload(Album.tracks)).filterBy({ Name: 'AC/DC' }).one(),
  );
  const boss = await counted(() =>
    Employee.query
      .options(joinedload(Employee.reports).joinedload(Employee.reports))
      .filter(Employee.ReportsTo.isNull())
      .one(),
  );
  const ironMaiden = await counted(() =>
    db.session.query(Track).join(Album).join(Artist).filter(Artist.Name.eq('Iron Maiden')).count(),
  );
  const luis = await counted(() =>
    Customer.query
      .options(selectinload(Customer.invoices).selectinload(Invoice.lines).joinedload(InvoiceLine.track))
      .filterBy({ CustomerId: 1 })
      .one(),
  );
  const rep = await counted(async () => (await luis.supportRep)?.FirstName ?? null);
  const grunge = await counted(() =>
    Playlist.query.options(selectinload(Playlist.tracks)).filterBy({ Name: 'Grunge' }).one(),
  );
  const firstTrack = await counted(() =>
    Track.query.options(joinedload(Track.playlists)).filterBy({ TrackId: 1 }).one(),
  );
  const jane = await counted(() =>
    Employee.query.options(selectinload(Employee.customers)).filterBy({ EmployeeId: 3 }).one(),
  );
  return {
    albums: acdc.albums.map((a) => [a.Title, a.tracks.map((t) => [t.Name, t.UnitPrice])]),
    orgChart: [boss.LastName, boss.reports.map((r) => [r.LastName, r.reports.map((x) => x.LastName)])],
    ironMaiden,
    invoices: luis.invoices.map((inv) => [
      inv.InvoiceId,
      inv.InvoiceDate.toISOString(),
      inv.Total,
      inv.lines.map((l) => [l.Quantity, l.UnitPrice, l.track!.Name]),
    ]),
    rep,
    grunge: grunge.tracks.map((t) => t.TrackId),
    firstTrackPlaylists: firstTrack.playlists.map((p) => p.Name),
    janesCustomers: jane.customers.map((c) => c.Email),
    statements,
  };
}

/** The same questions through the pulled models (camelCase attributes, relationship names of their own). */
async function pulledAnswers(m: Pulled) {
  const { db, Artist, Album, Track, Employee, Customer, Invoice, InvoiceLine, Playlist } = m;
  const statements: number[] = [];
  const counted = async <T>(fn: () => Promise<T>): Promise<T> => {
    let out: T | undefined;
    statements.push(await db.countQueries(async () => void (out = await fn())));
    return out!;
  };
  const acdc = await counted(() =>
    Artist.query.options(selectinload(Artist.albums).selectinload(Album.tracks)).filterBy({ name: 'AC/DC' }).one(),
  );
  const boss = await counted(() =>
    Employee.query
      .options(joinedload(Employee.reports).joinedload(Employee.reports))
      .filter(Employee.reportsTo.isNull())
      .one(),
  );
  const ironMaiden = await counted(() =>
    db.session.query(Track).join(Album).join(Artist).filter(Artist.name.eq('Iron Maiden')).count(),
  );
  const luis = await counted(() =>
    Customer.query
      .options(selectinload(Customer.invoices).selectinload(Invoice.invoiceLines).joinedload(InvoiceLine.track))
      .filterBy({ customerId: 1 })
      .one(),
  );
  const rep = await counted(async () => (await luis.supportRep)?.firstName ?? null);
  const grunge = await counted(() =>
    Playlist.query.options(selectinload(Playlist.tracks)).filterBy({ name: 'Grunge' }).one(),
  );
  const firstTrack = await counted(() =>
    Track.query.options(joinedload(Track.playlists)).filterBy({ trackId: 1 }).one(),
  );
  const jane = await counted(() =>
    Employee.query.options(selectinload(Employee.customers)).filterBy({ employeeId: 3 }).one(),
  );
  return {
    albums: acdc.albums.map((a) => [a.title, a.tracks.map((t) => [t.name, t.unitPrice])]),
    orgChart: [boss.lastName, boss.reports.map((r) => [r.lastName, r.reports.map((x) => x.lastName)])],
    ironMaiden,
    invoices: luis.invoices.map((inv) => [
      inv.invoiceId,
      inv.invoiceDate.toISOString(),
      inv.total,
      inv.invoiceLines.map((l) => [l.quantity, l.unitPrice, l.track!.name]),
    ]),
    rep,
    grunge: grunge.tracks.map((t) => t.trackId),
    firstTrackPlaylists: firstTrack.playlists.map((p) => p.name),
    janesCustomers: jane.customers.map((c) => c.email),
    statements,
  };
}

describeEachDialect('relata pull on Chinook', (t) => {
  const it = itOn(t);
  let setup: ChinookSetup | null = null;
  let db: Database;
  let reflected: ReflectedMetaData;
  let pulled: Pulled | null = null;

  beforeAll(async () => {
    if (t.skipReason) return;
    setup = await loadChinook(t.dialect, t.url);
    db = new Database(setup.url);
    reflected = await reflectMetaData(db.engine);
  });
  afterAll(async () => {
    if (!setup) return;
    await pulled?.db.close();
    await db.close();
    await setup.dispose();
  });

  it('writes a module that compiles under the strict settings and imports', async () => {
    const source = renderModelsModule(reflected, {
      importFrom: '../../../src/index.js',
      urlExpression: JSON.stringify(setup!.url),
    });
    const file = join(OUT, `chinook_${t.dialect}.ts`);
    writeFileSync(file, source);
    expect(typeCheck(file)).toBe('');
    pulled = (await import(pathToFileURL(file).href)) as Pulled;
    expect(Object.keys(pulled).sort()).toEqual(
      [
        'Album',
        'Artist',
        'Customer',
        'Employee',
        'Genre',
        'Invoice',
        'InvoiceLine',
        'MediaType',
        'Playlist',
        'Track',
        'db',
        'playlistTrack',
      ].sort(),
    );
  });

  it('declares the tables the database has: columns, types, keys, foreign keys, indexes', () => {
    expect(pulled).not.toBeNull();
    const shapes = (tables: Iterable<Table>) => [...tables].map(shapeOf).sort((a, b) => a.name.localeCompare(b.name));
    expect(shapes(pulled!.db.registry.metadata.tables.values())).toEqual(shapes(reflected.metadata.tables.values()));
  });

  it("answers the demo's queries with the hand-written models' rows and statement counts", async () => {
    expect(pulled).not.toBeNull();
    const handDb = new Database(setup!.url);
    try {
      const expected = await handWrittenAnswers(handDb, chinookModels(handDb));
      const got = await pulledAnswers(pulled!);
      expect(got).toEqual(expected);
      expect(got.albums.map((a) => a[0])).toEqual(['For Those About To Rock We Salute You', 'Let There Be Rock']);
      expect(got.ironMaiden).toBe(213);
    } finally {
      await handDb.close();
    }
  });

  if (t.dialect === 'sqlite') {
    it('writes examples/chinook/pulled.ts from the SQLite file', async () => {
      const source = renderModelsModule(reflected, { importFrom: '../../src/index.js', header: GOLDEN_HEADER });
      expect(await formatted(source)).toBe(readFileSync(GOLDEN, 'utf8'));
    });
  }
});
