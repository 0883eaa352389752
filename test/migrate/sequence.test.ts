/**
 * The end-to-end proof of issue 13 ("How it is shown", first bullet): a small app's models evolve
 * through six versions (sequence-models.ts) against one live database on every dialect.
 */
import { afterEach, expect } from 'vitest';
import { compareSchemas, Database, type SchemaChange } from '../../src/index.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { declareVersion, VERSIONS, type Version } from './sequence-models.js';

/** A change as data: kind, table, what it names. */
function summary(c: SchemaChange): string {
  const what = (() => {
    switch (c.kind) {
      case 'add-table':
      case 'drop-table':
        return '';
      case 'add-column':
        return c.modelColumn.name;
      case 'drop-column':
        return c.liveColumn.name;
      case 'alter-column':
        return `${c.column}:${c.changes.join('+')}`;
      case 'add-index':
        return c.modelIndex.name;
      case 'drop-index':
        return c.liveIndex.name;
      case 'add-unique':
        return c.modelUnique.name;
      case 'drop-unique':
        return c.liveUnique.name;
      case 'add-foreign-key':
        return c.modelForeignKey.columnNames.join(',');
      case 'drop-foreign-key':
        return c.liveForeignKey.columnNames.join(',');
      case 'add-check':
        return c.modelCheck.name;
      case 'drop-check':
        return c.liveCheck.name;
      case 'alter-primary-key':
        return `${c.liveColumns.join(',')}->${c.modelColumns.join(',')}`;
      case 'alter-table-comment':
        return `${c.liveComment ?? ''}->${c.modelComment ?? ''}`;
    }
  })();
  return `${c.kind} ${c.table}${what ? ` ${what}` : ''}${c.destructive ? ' (destructive)' : ''}`;
}

/** What the differ reports going from each version to the next, on every dialect. */
const STEPS: Record<Exclude<Version, 1>, string[]> = {
  2: [
    'add-column user email',
    'add-unique user uq_user_email',
    'add-column post summary',
    'add-index post ix_post_title',
  ],
  3: [
    'alter-column post title:nullable+serverDefault (destructive)',
    'drop-column post summary (destructive)',
    'add-check post ck_post_title',
  ],
  4: ['add-table tag', 'add-table post_tags', 'add-table post_revision', 'add-table review'],
  5: ['add-column user full_name', 'drop-column user name (destructive)'],
  6: ['alter-column review score:type (destructive)'],
};

describeEachDialect('Migration sequence', (t) => {
  const it = itOn(t);
  const opened: Database[] = [];
  /** A Database on this file's database (an in-memory SQLite one holds models only). */
  const open = (n: Version, url = t.url) => {
    const db = new Database(url, { nPlusOne: 'off' });
    declareVersion(db, n);
    db.registry.configure();
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    const live = opened.find((db) => db.engine.dialect.name === t.dialect && t.dialect !== 'sqlite');
    if (live) await live.dropAll();
    for (const db of opened.splice(0)) await db.close();
  });

  it("each version's models, created with createAll(), show no drift", async () => {
    for (const n of VERSIONS) {
      const db = open(n);
      await db.createAll();
      expect(
        (await db.checkSchema()).map((d) => d.description),
        `v${n}`,
      ).toEqual([]);
      await db.dropAll();
    }
  });

  it('the differ reports each step from one version to the next, in an order a migration can apply', async () => {
    for (const n of VERSIONS) {
      if (n === 1) continue;
      const before = open((n - 1) as Version);
      await before.createAll();
      const after = open(n, 'sqlite://');
      const live = await before.reflect();
      const changes = compareSchemas(after.registry.metadata, live.metadata, { dialect: before.engine.dialect });
      expect(changes.map(summary), `v${n - 1} -> v${n}`).toEqual(STEPS[n]);
      await before.dropAll();
    }
  });
});
