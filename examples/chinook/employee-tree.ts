/**
 * Chinook's employees report to employees (Employee.ReportsTo): the org chart by recursive CTE, each
 * query printed beside the SQL it runs. `npx tsx examples/chinook/employee-tree.ts` runs it on a
 * temporary copy of the vendored SQLite file; the functions run on any database with Chinook loaded
 * (test/examples/chinook-tree.test.ts runs them on SQLite, PostgreSQL and MariaDB).
 *
 * SQLAlchemy writes the same queries as
 *
 *     tree = select(Employee.EmployeeId).where(Employee.EmployeeId == boss).cte("tree", recursive=True)
 *     tree = tree.union_all(select(Employee.EmployeeId).join(tree, Employee.ReportsTo == tree.c.EmployeeId))
 *     session.scalars(select(Employee).join(tree, Employee.EmployeeId == tree.c.EmployeeId))
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Database, select, selectinload, text } from '../../src/index.js';
import { chinookModels, type ChinookModels } from './models.js';

/** Everyone who reports to `bossId`, directly or not, and the boss: a recursive CTE of their ids. */
export function reportsTree({ Employee }: ChinookModels, bossId: number) {
  let tree = select(Employee.EmployeeId).filter(Employee.EmployeeId.eq(bossId)).cte('tree', { recursive: true });
  tree = tree.unionAll(select(Employee.EmployeeId).join(tree, Employee.ReportsTo.eq(tree.c.EmployeeId)));
  return tree;
}

/** The employees under `bossId` (the boss first), as models, with the customers each one looks after. */
export function teamOf(m: ChinookModels, bossId: number) {
  const { Employee } = m;
  const tree = reportsTree(m, bossId);
  return Employee.query
    .join(tree, Employee.EmployeeId.eq(tree.c.EmployeeId))
    .options(selectinload(Employee.customers))
    .orderBy(Employee.EmployeeId)
    .all();
}

/** The chain of command above `employeeId`, from the employee up to the top: rows of a Core select. */
export function chainOfCommand({ Employee }: ChinookModels, employeeId: number) {
  let up = select(Employee.EmployeeId, Employee.ReportsTo, Employee.LastName)
    .filter(Employee.EmployeeId.eq(employeeId))
    .cte('up', { recursive: true });
  up = up.unionAll(
    select(Employee.EmployeeId, Employee.ReportsTo, Employee.LastName).join(up, Employee.EmployeeId.eq(up.c.ReportsTo)),
  );
  return select(up.c.LastName);
}

/** Cities where Chinook has both an employee and a customer: INTERSECT of two selects. */
export function sharedCities({ Employee, Customer }: ChinookModels) {
  return select(Employee.City.label('city'))
    .intersect(select(Customer.City.label('city')))
    .orderBy('city');
}

/** The employees by hand-written SQL, loaded as models (the session's identity map included). */
export function managersBySql(db: Database, { Employee }: ChinookModels) {
  const t = Employee.__table__;
  const c = (key: string) => db.engine.dialect.compiler.quote(t.c[key]!.column.name);
  const sql = `SELECT * FROM ${db.engine.dialect.compiler.quote(t.name)} WHERE ${c('EmployeeId')} IN (SELECT ${c('ReportsTo')} FROM ${db.engine.dialect.compiler.quote(t.name)}) ORDER BY ${c('EmployeeId')}`;
  return db.session.query(Employee).fromStatement(text(sql)).all();
}

const FIXTURE = fileURLToPath(new URL('../../test/fixtures/chinook/Chinook_Sqlite.sqlite', import.meta.url));

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'relata-chinook-tree-'));
  const file = join(dir, 'chinook.sqlite');
  copyFileSync(FIXTURE, file);
  const db = new Database(`sqlite:///${file}`, { echo: true, logger: (line) => log(`  ${line}`) });
  try {
    const m = chinookModels(db);

    log('\n-- Nancy Edwards (2) and everyone under her: Employee models from a recursive CTE, customers by selectin');
    for (const e of await teamOf(m, 2))
      log(
        `${e.FirstName} ${e.LastName} (${e.Title}), reports to ${e.ReportsTo ?? '-'}: ${e.customers.length} customers`,
      );

    log('\n-- Laura Callahan (8) up to the top: a recursive CTE walking ReportsTo');
    log((await db.session.execute(chainOfCommand(m, 8))).map((r) => r.LastName).join(' → '));

    log('\n-- Cities with both an employee and a customer: INTERSECT');
    log((await db.session.execute(sharedCities(m))).map((r) => r.city).join(', '));

    log('\n-- Managers by hand-written SQL, as models: fromStatement(text(...))');
    for (const e of await managersBySql(db, m)) log(`${e.FirstName} ${e.LastName}`);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
