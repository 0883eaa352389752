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
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

for (const [title, run] of sections) {
  console.log(`\n${bold(`=== ${title} ===`)}`);
  let statements = 0;
  const db = new Database('sqlite://', { echo: true, logger: (line) => console.log(dim(`  ${line}`)) });
  db.onStatement((e) => {
    if (e.kind === 'statement') statements++;
  });
  await run(db);
  console.log(dim(`  (${statements} SQL statements in this section)`));
  await db.close();
}
