/**
 * The Chinook sample database (a digital music store) mapped with Relata models: artists → albums →
 * tracks, playlists ↔ tracks through the composite-key PlaylistTrack table, employees and their
 * manager (a self-reference), customers → invoices → invoice lines → tracks.
 *
 * The official Chinook scripts do not name things the same way on every database: the SQLite file
 * and the MySQL script use PascalCase (`Album.ArtistId`), the PostgreSQL script snake_case
 * (`album.artist_id`). The attributes are PascalCase everywhere, so code using the models reads the
 * same on every database; only the table and column names follow `naming`, which defaults to what
 * the official script for the database's dialect uses.
 *
 * @example
 * const db = new Database('sqlite:////path/to/Chinook_Sqlite.sqlite');
 * const { Artist, Album } = chinookModels(db);
 * const acdc = await Artist.query.options(selectinload(Artist.albums)).filterBy({ Name: 'AC/DC' }).one();
 * acdc.albums.map((a) => a.Title); // ['For Those About To Rock We Salute You', 'Let There Be Rock']
 */
import { tableNameFor, type Database, type SqlType } from '../../src/index.js';

/** How the database names Chinook's tables and columns: `Album.ArtistId` or `album.artist_id`. */
export type ChinookNaming = 'PascalCase' | 'snake_case';

/** The naming of the official Chinook script for this database's dialect. */
export function chinookNamingFor(db: Database): ChinookNaming {
  return db.engine.dialect.name === 'postgres' ? 'snake_case' : 'PascalCase';
}

export function chinookModels(db: Database, naming: ChinookNaming = chinookNamingFor(db)) {
  // PascalCase names are the canonical ones; snake_case is derived (AlbumId → album_id, MediaType → media_type).
  const n = (name: string) => (naming === 'snake_case' ? tableNameFor(name) : name);
  const table = (name: string) => ({ tableName: n(name) });
  // 'Artist.ArtistId' → ForeignKey('artist.artist_id') under snake_case.
  const fk = (target: string) => db.ForeignKey(target.split('.').map(n).join('.'));
  const id = (name: string) => db.Column(db.Integer, { name: n(name), primaryKey: true, autoincrement: false });
  const col = <V, const O extends { nullable?: boolean }>(name: string, type: SqlType<V>, options?: O) =>
    db.Column<V, O & { name: string }>(type, { ...(options as O), name: n(name) });
  const ref = <const O extends { nullable?: boolean }>(name: string, target: string, options?: O) =>
    db.Column<number, O & { name: string }>(db.Integer, fk(target), { ...(options as O), name: n(name) });
  const money = () => db.Numeric(10, 2);

  const playlistTrack = db.Table(
    n('PlaylistTrack'),
    db.Column(n('PlaylistId'), db.Integer, fk('Playlist.PlaylistId'), { primaryKey: true }),
    db.Column(n('TrackId'), db.Integer, fk('Track.TrackId'), { primaryKey: true }),
  );

  class Artist extends db.Model(
    'Artist',
    {
      ArtistId: id('ArtistId'),
      Name: col('Name', db.String(120)),
      albums: db.relationship<Album>('Album', { backPopulates: 'artist', orderBy: 'AlbumId' }),
    },
    table('Artist'),
  ) {}

  class Album extends db.Model(
    'Album',
    {
      AlbumId: id('AlbumId'),
      Title: col('Title', db.String(160), { nullable: false }),
      ArtistId: ref('ArtistId', 'Artist.ArtistId', { nullable: false }),
      artist: db.relationship<Artist>('Artist', { backPopulates: 'albums', uselist: false }),
      tracks: db.relationship<Track>('Track', { backPopulates: 'album', orderBy: 'TrackId' }),
    },
    table('Album'),
  ) {}

  class Genre extends db.Model(
    'Genre',
    {
      GenreId: id('GenreId'),
      Name: col('Name', db.String(120)),
      tracks: db.relationship<Track>('Track', { backPopulates: 'genre', orderBy: 'TrackId' }),
    },
    table('Genre'),
  ) {}

  class MediaType extends db.Model(
    'MediaType',
    {
      MediaTypeId: id('MediaTypeId'),
      Name: col('Name', db.String(120)),
      tracks: db.relationship<Track>('Track', { backPopulates: 'mediaType', orderBy: 'TrackId' }),
    },
    table('MediaType'),
  ) {}

  class Track extends db.Model(
    'Track',
    {
      TrackId: id('TrackId'),
      Name: col('Name', db.String(200), { nullable: false }),
      AlbumId: ref('AlbumId', 'Album.AlbumId'),
      MediaTypeId: ref('MediaTypeId', 'MediaType.MediaTypeId', { nullable: false }),
      GenreId: ref('GenreId', 'Genre.GenreId'),
      Composer: col('Composer', db.String(220)),
      Milliseconds: col('Milliseconds', db.Integer, { nullable: false }),
      Bytes: col('Bytes', db.Integer),
      UnitPrice: col('UnitPrice', money(), { nullable: false }),
      album: db.relationship<Album>('Album', { backPopulates: 'tracks', uselist: false }),
      genre: db.relationship<Genre>('Genre', { backPopulates: 'tracks', uselist: false }),
      mediaType: db.relationship<MediaType>('MediaType', { backPopulates: 'tracks', uselist: false }),
      playlists: db.relationship<Playlist>('Playlist', {
        secondary: playlistTrack,
        backPopulates: 'tracks',
        orderBy: 'PlaylistId',
      }),
      invoiceLines: db.relationship<InvoiceLine>('InvoiceLine', { backPopulates: 'track', orderBy: 'InvoiceLineId' }),
    },
    table('Track'),
  ) {}

  class Playlist extends db.Model(
    'Playlist',
    {
      PlaylistId: id('PlaylistId'),
      Name: col('Name', db.String(120)),
      tracks: db.relationship<Track>('Track', {
        secondary: playlistTrack,
        backPopulates: 'playlists',
        orderBy: 'TrackId',
      }),
    },
    table('Playlist'),
  ) {}

  // Address columns shared by Employee and Customer (in the scripts' column order).
  const address = () => ({
    Address: col('Address', db.String(70)),
    City: col('City', db.String(40)),
    State: col('State', db.String(40)),
    Country: col('Country', db.String(40)),
    PostalCode: col('PostalCode', db.String(10)),
    Phone: col('Phone', db.String(24)),
    Fax: col('Fax', db.String(24)),
  });

  class Employee extends db.Model(
    'Employee',
    {
      EmployeeId: id('EmployeeId'),
      LastName: col('LastName', db.String(20), { nullable: false }),
      FirstName: col('FirstName', db.String(20), { nullable: false }),
      Title: col('Title', db.String(30)),
      ReportsTo: ref('ReportsTo', 'Employee.EmployeeId'),
      BirthDate: col('BirthDate', db.DateTime),
      HireDate: col('HireDate', db.DateTime),
      ...address(),
      Email: col('Email', db.String(60)),
      // Adjacency list: remoteSide says the manager is the row whose EmployeeId our ReportsTo holds.
      manager: db.relationship<Employee>('Employee', {
        remoteSide: 'EmployeeId',
        backPopulates: 'reports',
        uselist: false,
      }),
      reports: db.relationship<Employee>('Employee', { backPopulates: 'manager', orderBy: 'EmployeeId' }),
      customers: db.relationship<Customer>('Customer', { backPopulates: 'supportRep', orderBy: 'CustomerId' }),
    },
    table('Employee'),
  ) {}

  class Customer extends db.Model(
    'Customer',
    {
      CustomerId: id('CustomerId'),
      FirstName: col('FirstName', db.String(40), { nullable: false }),
      LastName: col('LastName', db.String(20), { nullable: false }),
      Company: col('Company', db.String(80)),
      ...address(),
      Email: col('Email', db.String(60), { nullable: false }),
      SupportRepId: ref('SupportRepId', 'Employee.EmployeeId'),
      supportRep: db.relationship<Employee>('Employee', { backPopulates: 'customers', uselist: false }),
      invoices: db.relationship<Invoice>('Invoice', { backPopulates: 'customer', orderBy: 'InvoiceId' }),
    },
    table('Customer'),
  ) {}

  class Invoice extends db.Model(
    'Invoice',
    {
      InvoiceId: id('InvoiceId'),
      CustomerId: ref('CustomerId', 'Customer.CustomerId', { nullable: false }),
      InvoiceDate: col('InvoiceDate', db.DateTime, { nullable: false }),
      BillingAddress: col('BillingAddress', db.String(70)),
      BillingCity: col('BillingCity', db.String(40)),
      BillingState: col('BillingState', db.String(40)),
      BillingCountry: col('BillingCountry', db.String(40)),
      BillingPostalCode: col('BillingPostalCode', db.String(10)),
      Total: col('Total', money(), { nullable: false }),
      customer: db.relationship<Customer>('Customer', { backPopulates: 'invoices', uselist: false }),
      lines: db.relationship<InvoiceLine>('InvoiceLine', { backPopulates: 'invoice', orderBy: 'InvoiceLineId' }),
    },
    table('Invoice'),
  ) {}

  class InvoiceLine extends db.Model(
    'InvoiceLine',
    {
      InvoiceLineId: id('InvoiceLineId'),
      InvoiceId: ref('InvoiceId', 'Invoice.InvoiceId', { nullable: false }),
      TrackId: ref('TrackId', 'Track.TrackId', { nullable: false }),
      UnitPrice: col('UnitPrice', money(), { nullable: false }),
      Quantity: col('Quantity', db.Integer, { nullable: false }),
      invoice: db.relationship<Invoice>('Invoice', { backPopulates: 'lines', uselist: false }),
      track: db.relationship<Track>('Track', { backPopulates: 'invoiceLines', uselist: false }),
    },
    table('InvoiceLine'),
  ) {}

  return { Artist, Album, Genre, MediaType, Track, Playlist, playlistTrack, Employee, Customer, Invoice, InvoiceLine };
}

export type ChinookModels = ReturnType<typeof chinookModels>;
