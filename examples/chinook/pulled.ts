/**
 * Chinook's models as `relata pull` writes them from the SQLite file (test/migrate/pull.test.ts checks
 * that this is what it writes). Compare with models.ts, written by hand.
 */
import { Database } from '../../src/index.js';

export const db = new Database(process.env.DATABASE_URL);

// Association table of 'Playlist' and 'Track'.
export const playlistTrack = db.Table(
  'PlaylistTrack',
  db.Column('PlaylistId', db.Integer, db.ForeignKey('Playlist.PlaylistId'), { primaryKey: true }),
  db.Column('TrackId', db.Integer, db.ForeignKey('Track.TrackId'), { primaryKey: true }),
  db.PrimaryKeyConstraint(['PlaylistId', 'TrackId'], { name: 'PK_PlaylistTrack' }),
  db.Index('IFK_PlaylistTrackPlaylistId', ['PlaylistId']),
  db.Index('IFK_PlaylistTrackTrackId', ['TrackId']),
);

export class Album extends db.Model(
  'Album',
  {
    albumId: db.Column('AlbumId', db.Integer, { primaryKey: true }),
    title: db.Column('Title', db.String(160), { nullable: false }),
    artistId: db.Column('ArtistId', db.Integer, db.ForeignKey('Artist.ArtistId'), { nullable: false }),
    artist: db.relationship<Artist>('Artist', { backPopulates: 'albums', uselist: false }),
    tracks: db.relationship<Track>('Track', { backPopulates: 'album', orderBy: 'trackId' }),
  },
  {
    tableName: 'Album',
    tableArgs: [
      db.PrimaryKeyConstraint(['AlbumId'], { name: 'PK_Album' }),
      db.Index('IFK_AlbumArtistId', ['ArtistId']),
    ],
  },
) {}

export class Artist extends db.Model(
  'Artist',
  {
    artistId: db.Column('ArtistId', db.Integer, { primaryKey: true }),
    name: db.Column('Name', db.String(120)),
    albums: db.relationship<Album>('Album', { backPopulates: 'artist', orderBy: 'albumId' }),
  },
  {
    tableName: 'Artist',
    tableArgs: [db.PrimaryKeyConstraint(['ArtistId'], { name: 'PK_Artist' })],
  },
) {}

export class Customer extends db.Model(
  'Customer',
  {
    customerId: db.Column('CustomerId', db.Integer, { primaryKey: true }),
    firstName: db.Column('FirstName', db.String(40), { nullable: false }),
    lastName: db.Column('LastName', db.String(20), { nullable: false }),
    company: db.Column('Company', db.String(80)),
    address: db.Column('Address', db.String(70)),
    city: db.Column('City', db.String(40)),
    state: db.Column('State', db.String(40)),
    country: db.Column('Country', db.String(40)),
    postalCode: db.Column('PostalCode', db.String(10)),
    phone: db.Column('Phone', db.String(24)),
    fax: db.Column('Fax', db.String(24)),
    email: db.Column('Email', db.String(60), { nullable: false }),
    supportRepId: db.Column('SupportRepId', db.Integer, db.ForeignKey('Employee.EmployeeId')),
    supportRep: db.relationship<Employee>('Employee', { backPopulates: 'customers', uselist: false }),
    invoices: db.relationship<Invoice>('Invoice', { backPopulates: 'customer', orderBy: 'invoiceId' }),
  },
  {
    tableName: 'Customer',
    tableArgs: [
      db.PrimaryKeyConstraint(['CustomerId'], { name: 'PK_Customer' }),
      db.Index('IFK_CustomerSupportRepId', ['SupportRepId']),
    ],
  },
) {}

export class Employee extends db.Model(
  'Employee',
  {
    employeeId: db.Column('EmployeeId', db.Integer, { primaryKey: true }),
    lastName: db.Column('LastName', db.String(20), { nullable: false }),
    firstName: db.Column('FirstName', db.String(20), { nullable: false }),
    title: db.Column('Title', db.String(30)),
    reportsTo: db.Column('ReportsTo', db.Integer, db.ForeignKey('Employee.EmployeeId')),
    birthDate: db.Column('BirthDate', db.DateTime),
    hireDate: db.Column('HireDate', db.DateTime),
    address: db.Column('Address', db.String(70)),
    city: db.Column('City', db.String(40)),
    state: db.Column('State', db.String(40)),
    country: db.Column('Country', db.String(40)),
    postalCode: db.Column('PostalCode', db.String(10)),
    phone: db.Column('Phone', db.String(24)),
    fax: db.Column('Fax', db.String(24)),
    email: db.Column('Email', db.String(60)),
    manager: db.relationship<Employee>('Employee', {
      remoteSide: 'employeeId',
      backPopulates: 'reports',
      uselist: false,
    }),
    customers: db.relationship<Customer>('Customer', { backPopulates: 'supportRep', orderBy: 'customerId' }),
    reports: db.relationship<Employee>('Employee', { backPopulates: 'manager', orderBy: 'employeeId' }),
  },
  {
    tableName: 'Employee',
    tableArgs: [
      db.PrimaryKeyConstraint(['EmployeeId'], { name: 'PK_Employee' }),
      db.Index('IFK_EmployeeReportsTo', ['ReportsTo']),
    ],
  },
) {}

export class Genre extends db.Model(
  'Genre',
  {
    genreId: db.Column('GenreId', db.Integer, { primaryKey: true }),
    name: db.Column('Name', db.String(120)),
    tracks: db.relationship<Track>('Track', { backPopulates: 'genre', orderBy: 'trackId' }),
  },
  {
    tableName: 'Genre',
    tableArgs: [db.PrimaryKeyConstraint(['GenreId'], { name: 'PK_Genre' })],
  },
) {}

export class Invoice extends db.Model(
  'Invoice',
  {
    invoiceId: db.Column('InvoiceId', db.Integer, { primaryKey: true }),
    customerId: db.Column('CustomerId', db.Integer, db.ForeignKey('Customer.CustomerId'), { nullable: false }),
    invoiceDate: db.Column('InvoiceDate', db.DateTime, { nullable: false }),
    billingAddress: db.Column('BillingAddress', db.String(70)),
    billingCity: db.Column('BillingCity', db.String(40)),
    billingState: db.Column('BillingState', db.String(40)),
    billingCountry: db.Column('BillingCountry', db.String(40)),
    billingPostalCode: db.Column('BillingPostalCode', db.String(10)),
    total: db.Column('Total', db.Numeric(10, 2), { nullable: false }),
    customer: db.relationship<Customer>('Customer', { backPopulates: 'invoices', uselist: false }),
    invoiceLines: db.relationship<InvoiceLine>('InvoiceLine', { backPopulates: 'invoice', orderBy: 'invoiceLineId' }),
  },
  {
    tableName: 'Invoice',
    tableArgs: [
      db.PrimaryKeyConstraint(['InvoiceId'], { name: 'PK_Invoice' }),
      db.Index('IFK_InvoiceCustomerId', ['CustomerId']),
    ],
  },
) {}

export class InvoiceLine extends db.Model(
  'InvoiceLine',
  {
    invoiceLineId: db.Column('InvoiceLineId', db.Integer, { primaryKey: true }),
    invoiceId: db.Column('InvoiceId', db.Integer, db.ForeignKey('Invoice.InvoiceId'), { nullable: false }),
    trackId: db.Column('TrackId', db.Integer, db.ForeignKey('Track.TrackId'), { nullable: false }),
    unitPrice: db.Column('UnitPrice', db.Numeric(10, 2), { nullable: false }),
    quantity: db.Column('Quantity', db.Integer, { nullable: false }),
    invoice: db.relationship<Invoice>('Invoice', { backPopulates: 'invoiceLines', uselist: false }),
    track: db.relationship<Track>('Track', { backPopulates: 'invoiceLines', uselist: false }),
  },
  {
    tableName: 'InvoiceLine',
    tableArgs: [
      db.PrimaryKeyConstraint(['InvoiceLineId'], { name: 'PK_InvoiceLine' }),
      db.Index('IFK_InvoiceLineInvoiceId', ['InvoiceId']),
      db.Index('IFK_InvoiceLineTrackId', ['TrackId']),
    ],
  },
) {}

export class MediaType extends db.Model(
  'MediaType',
  {
    mediaTypeId: db.Column('MediaTypeId', db.Integer, { primaryKey: true }),
    name: db.Column('Name', db.String(120)),
    tracks: db.relationship<Track>('Track', { backPopulates: 'mediaType', orderBy: 'trackId' }),
  },
  {
    tableName: 'MediaType',
    tableArgs: [db.PrimaryKeyConstraint(['MediaTypeId'], { name: 'PK_MediaType' })],
  },
) {}

export class Playlist extends db.Model(
  'Playlist',
  {
    playlistId: db.Column('PlaylistId', db.Integer, { primaryKey: true }),
    name: db.Column('Name', db.String(120)),
    tracks: db.relationship<Track>('Track', {
      secondary: playlistTrack,
      backPopulates: 'playlists',
      orderBy: 'trackId',
    }),
  },
  {
    tableName: 'Playlist',
    tableArgs: [db.PrimaryKeyConstraint(['PlaylistId'], { name: 'PK_Playlist' })],
  },
) {}

export class Track extends db.Model(
  'Track',
  {
    trackId: db.Column('TrackId', db.Integer, { primaryKey: true }),
    name: db.Column('Name', db.String(200), { nullable: false }),
    albumId: db.Column('AlbumId', db.Integer, db.ForeignKey('Album.AlbumId')),
    mediaTypeId: db.Column('MediaTypeId', db.Integer, db.ForeignKey('MediaType.MediaTypeId'), { nullable: false }),
    genreId: db.Column('GenreId', db.Integer, db.ForeignKey('Genre.GenreId')),
    composer: db.Column('Composer', db.String(220)),
    milliseconds: db.Column('Milliseconds', db.Integer, { nullable: false }),
    bytes: db.Column('Bytes', db.Integer),
    unitPrice: db.Column('UnitPrice', db.Numeric(10, 2), { nullable: false }),
    album: db.relationship<Album>('Album', { backPopulates: 'tracks', uselist: false }),
    mediaType: db.relationship<MediaType>('MediaType', { backPopulates: 'tracks', uselist: false }),
    genre: db.relationship<Genre>('Genre', { backPopulates: 'tracks', uselist: false }),
    invoiceLines: db.relationship<InvoiceLine>('InvoiceLine', { backPopulates: 'track', orderBy: 'invoiceLineId' }),
    playlists: db.relationship<Playlist>('Playlist', {
      secondary: playlistTrack,
      backPopulates: 'tracks',
      orderBy: 'playlistId',
    }),
  },
  {
    tableName: 'Track',
    tableArgs: [
      db.PrimaryKeyConstraint(['TrackId'], { name: 'PK_Track' }),
      db.Index('IFK_TrackAlbumId', ['AlbumId']),
      db.Index('IFK_TrackGenreId', ['GenreId']),
      db.Index('IFK_TrackMediaTypeId', ['MediaTypeId']),
    ],
  },
) {}
