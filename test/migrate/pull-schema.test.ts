/**
 * `renderModelsModule` on a small SQLite schema with each shape a relationship can take: a one-to-one
 * (unique foreign key), two foreign keys to one table, self-references, an association table, an enum,
 * plus a table without a key, a type Relata does not have, a composite foreign key and names that need
 * care. The relationships' text is asserted, and the module compiles, imports and works.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ArgumentError,
  Database,
  reflectMetaData,
  renderModelsModule,
  type ReflectedMetaData,
} from '../../src/index.js';
import { pulledModulesDir, shapeOf, typeCheck } from './pull-support.js';

const OUT = pulledModulesDir();

/** A pulled model seen without its types (the module is written while the test runs). */
interface LooseModel {
  new (init: Record<string, unknown>): object;
  readonly query: { filterBy(by: Record<string, unknown>): { one(): Promise<Record<string, unknown>> } };
}

/** The schema, declared with models where Relata can and in SQL where the point is a database's own DDL. */
async function createSchema(db: Database): Promise<void> {
  class Team extends db.Model('Team', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(50), { nullable: false, unique: true }),
  }) {}
  class Match extends db.Model('Match', {
    id: db.Column(db.Integer, { primaryKey: true }),
    home_team_id: db.Column(db.Integer, db.ForeignKey('team.id'), { nullable: false }),
    away_team_id: db.Column(db.Integer, db.ForeignKey('team.id'), { nullable: false }),
    played_on: db.Column(db.Date, { index: true }),
  }) {}
  class Person extends db.Model('Person', {
    id: db.Column(db.Integer, { primaryKey: true }),
    name: db.Column(db.String(80), { nullable: false }),
    mentor_id: db.Column(db.Integer, db.ForeignKey('person.id')),
    mood: db.Column(db.Enum(['happy', 'sad']), { nullable: false, serverDefault: "'happy'" }),
  }) {}
  class Passport extends db.Model('Passport', {
    id: db.Column(db.Integer, { primaryKey: true }),
    person_id: db.Column(db.Integer, db.ForeignKey('person.id', { ondelete: 'CASCADE' }), { unique: true }),
    number: db.Column(db.String(20), { nullable: false }),
  }) {}
  class Tag extends db.Model('Tag', {
    id: db.Column(db.Integer, { primaryKey: true }),
    label: db.Column(db.String(30), { nullable: false }),
  }) {}
  db.Table(
    'person_tags',
    db.Column('person_id', db.Integer, db.ForeignKey('person.id'), { primaryKey: true }),
    db.Column('tag_id', db.Integer, db.ForeignKey('tag.id'), { primaryKey: true }),
  );
  void [Team, Match, Person, Passport, Tag];
  await db.createAll();
  for (const sql of [
    // A self-reference named by role, a column named like a model member, a CHECK.
    `CREATE TABLE categories (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES categories (id), query TEXT,
       rank INTEGER NOT NULL DEFAULT 0, CONSTRAINT ck_rank CHECK (rank >= 0))`,
    // No primary key, and a type Relata does not have.
    `CREATE TABLE audit_log (at DATETIME NOT NULL, amount MONEY, note TEXT)`,
    // A key Relata cannot key a model by; a column named as its relationship would be.
    // An association table without a key.
    `CREATE TABLE tag_links (tag_id INTEGER NOT NULL REFERENCES tag (id), team_id INTEGER NOT NULL REFERENCES team (id))`,
    `CREATE TABLE blob_key (k BLOB NOT NULL PRIMARY KEY, v TEXT)`,
    `CREATE TABLE blob_ref (id INTEGER PRIMARY KEY, k BLOB REFERENCES blob_key (k))`,
    `CREATE TABLE locker (id INTEGER PRIMARY KEY, team INTEGER REFERENCES team (id))`,
    // A composite foreign key to a composite key.
    `CREATE TABLE seat (row_no INTEGER NOT NULL, seat_no INTEGER NOT NULL, PRIMARY KEY (row_no, seat_no))`,
    `CREATE TABLE ticket (id INTEGER PRIMARY KEY, row_no INTEGER, seat_no INTEGER, code TEXT,
       FOREIGN KEY (row_no, seat_no) REFERENCES seat (row_no, seat_no), CONSTRAINT uq_ticket_code UNIQUE (row_no, code))`,
    // An expression index.
    `CREATE INDEX ix_ticket_lower_code ON ticket (lower(code), seat_no)`,
  ])
    await db.engine.execute({ sql, params: [], returnsRows: false });
}

describe('renderModelsModule on a small schema', () => {
  let db: Database;
  let reflected: ReflectedMetaData;
  let source: string;
  const file = join(OUT, 'models.ts');
  const url = `sqlite:///${join(OUT, 'small.sqlite')}`;

  beforeAll(async () => {
    db = new Database(url);
    await createSchema(db);
    reflected = await reflectMetaData(db.engine);
    source = renderModelsModule(reflected, { importFrom: '../../../src/index.js', urlExpression: JSON.stringify(url) });
    writeFileSync(file, source);
  });
  afterAll(async () => {
    await db.close();
    rmSync(OUT, { recursive: true, force: true });
  });

  /** The source line declaring `attribute` inside `class Name`. */
  const line = (className: string, attribute: string) => {
    const body = source.slice(source.indexOf(`export class ${className} extends`));
    const end = body.indexOf('\n) {}');
    const found = body
      .slice(0, end)
      .split('\n')
      .find((l) => l.trimStart().startsWith(`${attribute}:`));
    return found?.trim();
  };

  test('two foreign keys to one table: foreignKeys on every side, reverse names by role', () => {
    expect(line('Match', 'homeTeam')).toBe(
      "homeTeam: db.relationship<Team>('Team', { foreignKeys: 'homeTeamId', backPopulates: 'homeMatches', uselist: false }),",
    );
    expect(line('Match', 'awayTeam')).toBe(
      "awayTeam: db.relationship<Team>('Team', { foreignKeys: 'awayTeamId', backPopulates: 'awayMatches', uselist: false }),",
    );
    expect(line('Team', 'homeMatches')).toBe(
      "homeMatches: db.relationship<Match>('Match', { foreignKeys: 'homeTeamId', backPopulates: 'homeTeam', orderBy: 'id' }),",
    );
    expect(line('Team', 'awayMatches')).toBe(
      "awayMatches: db.relationship<Match>('Match', { foreignKeys: 'awayTeamId', backPopulates: 'awayTeam', orderBy: 'id' }),",
    );
    expect(line('Match', 'homeTeamId')).toBe(
      "homeTeamId: db.Column('home_team_id', db.Integer, db.ForeignKey('team.id'), { nullable: false }),",
    );
  });

  test('a unique foreign key is a one-to-one on both sides', () => {
    expect(line('Passport', 'person')).toBe(
      "person: db.relationship<Person>('Person', { backPopulates: 'passport', uselist: false }),",
    );
    expect(line('Person', 'passport')).toBe(
      "passport: db.relationship<Passport>('Passport', { backPopulates: 'person', uselist: false }),",
    );
    expect(line('Passport', 'personId')).toBe(
      "personId: db.Column('person_id', db.Integer, db.ForeignKey('person.id', { ondelete: 'CASCADE' }), { unique: true }),",
    );
  });

  test('self-references: remoteSide on the many-to-one, names from the column', () => {
    expect(line('Person', 'mentor')).toBe(
      "mentor: db.relationship<Person>('Person', { remoteSide: 'id', backPopulates: 'mentorOf', uselist: false }),",
    );
    expect(line('Person', 'mentorOf')).toBe(
      "mentorOf: db.relationship<Person>('Person', { backPopulates: 'mentor', orderBy: 'id' }),",
    );
    expect(line('Category', 'parent')).toBe(
      "parent: db.relationship<Category>('Category', { remoteSide: 'id', backPopulates: 'children', uselist: false }),",
    );
    expect(line('Category', 'children')).toBe(
      "children: db.relationship<Category>('Category', { backPopulates: 'parent', orderBy: 'id' }),",
    );
  });

  test('an association table is a db.Table and a secondary many-to-many on both sides', () => {
    expect(source).toContain("export const personTags = db.Table(\n  'person_tags',");
    expect(source).not.toContain('class PersonTag');
    // Without a key in the database, it stays without one.
    const links = source.slice(source.indexOf('export const tagLinks'));
    expect(links.slice(0, links.indexOf(');'))).toContain('  { associationPrimaryKey: false },\n');
    expect(line('Tag', 'teams')).toBe(
      "teams: db.relationship<Team>('Team', { secondary: tagLinks, backPopulates: 'tags', orderBy: 'id' }),",
    );
    expect(line('Person', 'tags')).toBe(
      "tags: db.relationship<Tag>('Tag', { secondary: personTags, backPopulates: 'people', orderBy: 'id' }),",
    );
    expect(line('Tag', 'people')).toBe(
      "people: db.relationship<Person>('Person', { secondary: personTags, backPopulates: 'tags', orderBy: 'id' }),",
    );
  });

  test('columns: an enum, a server default, an index, a unique column, a reserved name, an unknown type', () => {
    expect(line('Person', 'mood')).toBe(
      `mood: db.Column(db.Enum(['happy', 'sad']), { nullable: false, serverDefault: "'happy'" }),`,
    );
    expect(line('Match', 'playedOn')).toBe("playedOn: db.Column('played_on', db.Date, { index: true }),");
    expect(line('Team', 'name')).toBe('name: db.Column(db.String(50), { nullable: false, unique: true }),');
    expect(line('Category', 'queryColumn')).toBe("queryColumn: db.Column('query', db.Text),");
    expect(source).toContain(
      "  // 'MONEY' is not one of Relata's types: declared as Text, which reads its values; createAll() would create Text instead\n  db.Column('amount', db.Text),",
    );
    expect(source).toContain('// No primary key: a table, not a model');
    expect(source).toContain('export const auditLog = db.Table(');
  });

  test('a bytes key is a table with its key as a constraint; a relationship named as a column gets another name', () => {
    const block = source.slice(source.indexOf('export const blobKey'));
    expect(block.slice(0, block.indexOf(');'))).toBe(
      [
        'export const blobKey = db.Table(',
        "  'blob_key',",
        "  // its primary key column 'k' holds LargeBinary values, which cannot key a model's rows",
        "  db.Column('k', db.LargeBinary),",
        "  db.Column('v', db.Text),",
        "  db.PrimaryKeyConstraint(['k']),",
        '',
      ].join('\n'),
    );
    const ref = source.slice(source.indexOf('export class BlobRef'));
    expect(ref.slice(0, ref.indexOf(') {}'))).toContain(
      "    k: db.Column(db.LargeBinary, db.ForeignKey('blob_key.k')),\n    // no relationship to 'blob_key': it is a db.Table, not a model\n  },",
    );
    expect(line('Locker', 'team')).toBe("team: db.Column(db.Integer, db.ForeignKey('team.id')),");
    expect(line('Locker', 'teamRef')).toBe(
      "teamRef: db.relationship<Team>('Team', { backPopulates: 'lockers', uselist: false }),",
    );
  });

  test('table arguments: a composite foreign key, a CHECK, a UNIQUE over two columns, an expression index, tableName only where the default differs', () => {
    expect(source).toContain("db.ForeignKeyConstraint(['row_no', 'seat_no'], ['seat.row_no', 'seat.seat_no'])");
    expect(source).toContain("db.CheckConstraint('rank >= 0', { name: 'ck_rank' })");
    expect(source).toContain("db.UniqueConstraint(['row_no', 'code'], { name: 'uq_ticket_code' })");
    expect(source).toContain("db.Index('ix_ticket_lower_code', [db.text('lower(code)'), 'seat_no'])");
    expect(source).toContain("tableName: 'categories'");
    expect(line('Ticket', 'seat')).toBe(
      "seat: db.relationship<Seat>('Seat', { backPopulates: 'tickets', uselist: false }),",
    );
    expect(source.slice(source.indexOf('export class Team'))).not.toMatch(/^ {4}tableName: 'team'/m);
  });

  test('the module compiles, declares the tables the database has, and its relationships work', async () => {
    expect(typeCheck(file)).toBe('');
    // The check sees errors: the same module with an attribute misspelt in a relationship option.
    const broken = join(OUT, 'broken.ts');
    writeFileSync(broken, source.replace("orderBy: 'id'", "orderBy: 'idd'").replace('db.Integer', 'db.Integr'));
    expect(typeCheck(broken)).toMatch(/broken\.ts.*Property 'Integr' does not exist/s);
    const m = (await import(pathToFileURL(file).href)) as Record<string, unknown> & { db: Database };
    try {
      const shapes = (d: Database | ReflectedMetaData) =>
        [...('registry' in d ? d.registry.metadata : d.metadata).tables.values()]
          .map(shapeOf)
          .sort((a, b) => a.name.localeCompare(b.name));
      // The one difference by design: MONEY, which Relata has no type for, is declared as Text.
      const expected = JSON.parse(
        JSON.stringify(shapes(reflected)).replace('{"name":"Unknown","sqlText":"MONEY"}', '{"name":"Text"}'),
      ) as unknown;
      expect(shapes(m.db)).toEqual(expected);
      const { Team, Match, Person, Passport, Tag } = m as unknown as Record<string, LooseModel>;
      const reds = new Team!({ name: 'Reds' });
      const blues = new Team!({ name: 'Blues' });
      const ada = new Person!({ name: 'Ada', mood: 'happy' });
      const bob = new Person!({ name: 'Bob', mood: 'sad', mentor: ada });
      m.db.session.add(new Match!({ homeTeam: reds, awayTeam: blues }));
      m.db.session.add(new Passport!({ number: 'P-1', person: bob }));
      m.db.session.add(new Person!({ name: 'Cy', mood: 'happy', tags: [new Tag!({ label: 'chess' })] }));
      await m.db.session.commit();
      await m.db.session.close();
      // What reached the database, read with SQL.
      const rows = async (sql: string) => (await db.engine.execute({ sql, params: [], returnsRows: true })).rows;
      expect(
        await rows(
          'SELECT h.name, a.name FROM match m JOIN team h ON h.id = m.home_team_id JOIN team a ON a.id = m.away_team_id',
        ),
      ).toEqual([['Reds', 'Blues']]);
      expect(
        await rows('SELECT p.name, m.name FROM person p LEFT JOIN person m ON m.id = p.mentor_id ORDER BY p.name'),
      ).toEqual([
        ['Ada', null],
        ['Bob', 'Ada'],
        ['Cy', null],
      ]);
      expect(await rows('SELECT p.name, x.number FROM passport x JOIN person p ON p.id = x.person_id')).toEqual([
        ['Bob', 'P-1'],
      ]);
      // And read back through the pulled relationships, in a fresh session.
      const one = (model: LooseModel, by: Record<string, unknown>) => model.query.filterBy(by).one();
      const names = (list: unknown) => (list as Record<string, unknown>[]).map((x) => x.name ?? x.label);
      const redsAgain = await one(Team!, { name: 'Reds' });
      expect(((await redsAgain.homeMatches) as unknown[]).length).toBe(1);
      expect(await redsAgain.awayMatches).toEqual([]);
      const bobAgain = await one(Person!, { name: 'Bob' });
      expect(((await bobAgain.mentor) as Record<string, unknown>).name).toBe('Ada');
      expect(((await bobAgain.passport) as Record<string, unknown>).number).toBe('P-1');
      expect(names(await (await one(Person!, { name: 'Ada' })).mentorOf)).toEqual(['Bob']);
      expect(names(await (await one(Person!, { name: 'Cy' })).tags)).toEqual(['chess']);
      expect(names(await (await one(Tag!, { label: 'chess' })).people)).toEqual(['Cy']);
      expect(await (await one(Team!, { name: 'Reds' })).tags).toEqual([]);
      expect(m.db.registry.metadata.tables.get('tag_links')!.primaryKey).toEqual([]);
    } finally {
      await m.db.close();
    }
  });

  test('refuses unknown options and what is not a reflection', () => {
    expect(() => renderModelsModule(reflected, { importFrom: 'relata', url: 'x' } as never)).toThrow(ArgumentError);
    expect(() => renderModelsModule(reflected, { importFrom: 'relata', url: 'x' } as never)).toThrow(
      /unknown option 'url'/,
    );
    expect(() => renderModelsModule({} as never)).toThrow(/expected what reflectMetaData\(\) returns/);
  });
});
