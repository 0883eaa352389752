/**
 * examples/chinook/employee-tree.ts on every database with Chinook loaded: the team under a manager
 * as models from a recursive CTE (one statement, plus one selectin for their customers), the chain
 * of command by a recursive CTE, an INTERSECT and models from hand-written SQL.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { Database } from '../../src/index.js';
import { chinookModels, type ChinookModels } from '../../examples/chinook/models.js';
import { chainOfCommand, managersBySql, sharedCities, teamOf } from '../../examples/chinook/employee-tree.js';
import { loadChinook, type ChinookSetup } from '../support/chinook.js';
import { describeEachDialect, itOn } from '../support/databases.js';
import { statementsOf } from '../support/tree.js';

describeEachDialect('examples/chinook: the employee tree', (t) => {
  const it = itOn(t);
  let setup: ChinookSetup | null = null;
  let db: Database;
  let m: ChinookModels;
  beforeAll(async () => {
    if (t.skipReason) return;
    setup = await loadChinook(t.dialect, t.url);
    db = new Database(setup.url);
    m = chinookModels(db);
  });
  afterAll(async () => {
    if (!setup) return;
    await db.close();
    await setup.dispose();
  });

  it('loads the team under Nancy Edwards as models: the CTE query, then one selectin for customers', async () => {
    let team: Awaited<ReturnType<typeof teamOf>> = [];
    const sql = await statementsOf(db, async () => {
      team = await teamOf(m, 2);
    });
    expect(sql).toHaveLength(2);
    expect(sql[0]).toMatch(/^WITH RECURSIVE [`"]tree[`"] \([`"]EmployeeId[`"]\) AS \(SELECT /);
    expect(team.map((e) => [e.EmployeeId, e.LastName, e.ReportsTo, e.customers.length])).toEqual([
      [2, 'Edwards', 1, 0],
      [3, 'Peacock', 2, 21],
      [4, 'Park', 2, 20],
      [5, 'Johnson', 2, 18],
    ]);
    // Everyone is under the general manager, and the objects are the session's own.
    const all = await teamOf(m, 1);
    expect(all).toHaveLength(8);
    expect(all[1]).toBe(team[0]);
    await db.session.close();
  });

  it('walks up the chain of command, intersects cities, and loads managers from hand-written SQL', async () => {
    const chain = (await db.session.execute(chainOfCommand(m, 8))).map((r) => r.LastName);
    expect([...chain].sort()).toEqual(['Adams', 'Callahan', 'Mitchell']);
    expect(await db.session.execute(sharedCities(m))).toEqual([{ city: 'Edmonton' }]);
    const managers = await managersBySql(db, m);
    expect(managers.map((e) => `${e.FirstName} ${e.LastName}`)).toEqual([
      'Andrew Adams',
      'Nancy Edwards',
      'Michael Mitchell',
    ]);
    expect(managers[0]).toBe(await db.session.get(m.Employee, 1));
    await db.session.close();
  });
});
