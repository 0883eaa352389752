/**
 * renderMigration on changes between two model sets (no database: both sides are models): table
 * renames asked for or flagged, column alterations with both sides restated, destructive comments,
 * and the errors for renames that match nothing.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  CheckConstraint,
  Column,
  Database,
  Integer,
  String,
  Text,
  compareSchemas,
  migrationId,
  renameCandidates,
  renderMigration,
  type SchemaChange,
} from '../../src/index.js';

function diff(build: (db: Database) => void, buildLive: (db: Database) => void): SchemaChange[] {
  const model = new Database();
  const live = new Database();
  build(model);
  buildLive(live);
  return compareSchemas(model.registry.metadata, live.registry.metadata, { dialect: model.engine.dialect });
}
const options = { id: 'm2', revises: 'm1', message: 'next' };

describe('renderMigration', () => {
  const tableRenamed = diff(
    (db) => db.Model('Member', { id: Column(Integer, { primaryKey: true }) }, { tableName: 'member' }),
    (db) => db.Model('Person', { id: Column(Integer, { primaryKey: true }) }, { tableName: 'person' }),
  );

  it('a dropped and an added table are drop + add with a loud comment, or a rename when confirmed', () => {
    expect(renameCandidates(tableRenamed)).toEqual([
      { kind: 'table', table: 'person', from: 'person', to: 'member', key: 'person' },
    ]);
    const guessed = renderMigration(tableRenamed, options);
    expect(guessed).toContain(
      "    // !!! POSSIBLE RENAME: if table person became member, this drop + add LOSES ITS DATA: replace both with op.renameTable('person', 'member')\n" +
        '    //     (or generate again with --rename person=member)\n',
    );
    expect(guessed).toContain('// DESTRUCTIVE: drops table person and its rows (down re-creates it empty)');
    expect(guessed).toContain("revises: 'm1',");
    const renamed = renderMigration(tableRenamed, { ...options, renames: { person: 'member' } });
    expect(renamed).toContain('  async up(op) {\n    // rename table person → member (confirmed)');
    expect(renamed).toContain("    await op.renameTable('person', 'member');\n  },");
    expect(renamed).toContain("  async down(op) {\n    await op.renameTable('member', 'person');\n  },");
    expect(renamed).not.toContain('createTable');
  });

  it('a rename that matches no drop + add is an error listing the possible ones', () => {
    expect(() => renderMigration(tableRenamed, { ...options, renames: { person: 'nobody' } })).toThrow(
      new ArgumentError(
        "rename person → nobody: the models and the database show no dropped 'person' and added 'nobody' (possible renames: person=member)",
      ),
    );
    expect(() => renderMigration(tableRenamed, { ...options, nope: 1 } as never)).toThrow(
      /renderMigration\(\): unknown option 'nope'/,
    );
  });

  it('an altered column restates both sides; a type change says how to convert; NOT NULL adds are warned', () => {
    const changes = diff(
      (db) =>
        db.Model(
          'Note',
          {
            id: Column(Integer, { primaryKey: true }),
            body: Column(Text, { nullable: false }),
            rank: Column(Integer, { nullable: false }),
          },
          { tableName: 'note' },
        ),
      (db) =>
        db.Model(
          'Note',
          { id: Column(Integer, { primaryKey: true }), body: Column(String(40)) },
          { tableName: 'note' },
        ),
    );
    const source = renderMigration(changes, options);
    expect(source).toContain(
      "    await op.alterColumn(\n      'note',\n      'body',\n      { type: Text, nullable: false },\n" +
        '      { type: String(40), nullable: true, serverDefault: null, comment: null, autoincrement: false },\n    );',
    );
    expect(source).toContain(
      '      { type: String(40), nullable: true },\n      { type: Text, nullable: false, serverDefault: null, comment: null, autoincrement: false },',
    );
    expect(source).toContain(
      "// type change: if existing values need converting, add using: '<SQL over the old column>'",
    );
    expect(source).toContain('// NOT NULL without a server default: fails on a table with rows');
    expect(source).toContain("import { Column, defineMigration, Integer, String, Text } from 'relata';");
  });

  it('a CHECK over columns is rendered as a function of the dialect quoting, plain text as text', () => {
    const changes = diff(
      (db) =>
        db.Model(
          'Line',
          { id: Column(Integer, { primaryKey: true }), unitPrice: Column(Integer) },
          {
            tableName: 'line',
            tableArgs: [
              CheckConstraint((q) => `${q('unitPrice')} >= 0`, { name: 'ck_line_price' }),
              CheckConstraint('id > 0', { name: 'ck_line_id' }),
            ],
          },
        ),
      (db) =>
        db.Model(
          'Line',
          { id: Column(Integer, { primaryKey: true }), unitPrice: Column(Integer) },
          { tableName: 'line' },
        ),
    );
    const source = renderMigration(changes, options);
    expect(source).toContain(
      "await op.createCheckConstraint('ck_line_price', 'line', (q) => `${q('unitPrice')} >= 0`);",
    );
    expect(source).toContain("await op.createCheckConstraint('ck_line_id', 'line', 'id > 0');");
  });

  it('no changes: an empty migration to write by hand', () => {
    const source = renderMigration([], { id: 'm1', revises: null, message: 'data only' });
    expect(source).toContain("import { defineMigration } from 'relata';");
    expect(source).toContain(
      '  async up(op) {\n    // no schema changes: write the migration here (op.execute(sql) for data)\n  },',
    );
  });

  it('migrationId: UTC time and a slug of the message', () => {
    expect(migrationId('Add user.email!', new Date('2026-12-03T09:05:07Z'))).toBe('20261203_090507_add_user_email');
    expect(migrationId('***', new Date('2026-12-03T09:05:07Z'))).toBe('20261203_090507');
  });
});
