/**
 * `npm start`: every example of the seed tutorial against embedded SQLite, printing each SQL
 * statement Relata emits and the results.
 */
import { Database } from '../src/index.js';
import { joiningQueries } from './seed/joins.js';
import { lazyVersusEager } from './seed/loading.js';
import { manyToMany } from './seed/many-to-many.js';
import { oneToMany } from './seed/one-to-many.js';
import { oneToOne } from './seed/one-to-one.js';

const sections: [string, (db: Database) => Promise<unknown>][] = [
  ['One-to-Many', oneToMany],
  ['Many-to-Many', manyToMany],
  ['One-to-One', oneToOne],
  ['Eager vs Lazy Loading', lazyVersusEager],
  ['Joining Queries', joiningQueries],
];

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const DDL = /^\[SQL\] (CREATE|DROP|ALTER) /;
const CATALOG = /\bsqlite_master\b/;

/** A CREATE TABLE on one line, so the tutorial's own statements stand out below the schema. */
function compactDdl(line: string): string {
  return line
    .replace('[SQL]', '[DDL]')
    .replace(/\(\n\s*/g, '(')
    .replace(/,\n\s*/g, ', ')
    .replace(/\s*\n\)/g, ')');
}
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

for (const [title, run] of sections) {
  console.log(`\n${bold(`=== ${title} ===`)}`);
  let statements = 0;
  let ddl = 0;
  let catalog = 0;
  const db = new Database('sqlite://', {
    echo: true,
    logger: (line) => console.log(dim(`  ${DDL.test(line) ? compactDdl(line) : line}`)),
  });
  db.onStatement((e) => {
    if (e.kind !== 'statement') return;
    if (DDL.test(`[SQL] ${e.sql}`)) ddl++;
    // createAll() reads which tables exist (to warn about one it skips): schema work, not the tutorial's.
    else if (CATALOG.test(e.sql)) catalog++;
    else statements++;
  });
  await run(db);
  console.log(
    dim(
      `  (${statements} SQL statements in this section, plus createAll's ${catalog} catalog read and ${ddl} CREATE TABLE)`,
    ),
  );
  await db.close();
}
