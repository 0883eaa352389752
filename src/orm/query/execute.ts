/**
 * What `session.execute()` runs: a Core SELECT (rows converted through their columns' types) and the ORM-enabled
 * bulk statements, which keep the session's loaded objects in step with what they changed.
 */
import { ColumnRef } from '../../sql/expressions.js';
import { ArgumentError } from '../../sql/errors.js';
import { valueReader } from './column-values.js';
import { Select } from '../../sql/selectable.js';
import { resultKey } from '../../sql/expressions.js';
import type { ConvertedRows } from './row-result.js';
import type { CompoundSelect } from '../../sql/compound.js';
import type { Session } from '../session/session.js';
import type { InstanceState } from '../session/state.js';
import { DeleteStatement, InsertStatement, UpdateStatement, type BulkStatement } from './statements.js';

/** Runs a Core SELECT: its rows' values converted through the selected columns' types. */
export async function executeSelect(session: Session, stmt: Select | CompoundSelect): Promise<ConvertedRows> {
  // A lock lasts until the transaction ends: a locking SELECT begins the session's transaction.
  const locks = stmt instanceof Select && stmt.state.locking !== null;
  const result = locks ? await session.executeWrite(stmt) : await session.executeRead(stmt);
  const columns = stmt.columns;
  const processors = columns.map((c) => valueReader(session.dialect, c));
  const values = result.rows.map((row) => {
    const out = new Array<unknown>(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const v = row[i];
      const p = processors[i];
      out[i] = p && v !== null && v !== undefined ? p(v) : v;
    }
    return out;
  });
  return { values, names: columns.map(resultKey), described: columns.map((c) => c.describe()) };
}

/** Runs a bulk INSERT, UPDATE or DELETE in the session's transaction. */
export async function executeBulk(session: Session, stmt: BulkStatement): Promise<{ rowsAffected: number }> {
  if (stmt instanceof InsertStatement) {
    let rowsAffected = 0;
    for (const node of stmt.toNodes()) rowsAffected += (await session.executeWrite(node)).rowsAffected;
    return { rowsAffected };
  }
  if (stmt instanceof UpdateStatement || stmt instanceof DeleteStatement) return synchronized(session, stmt);
  throw new ArgumentError('session.execute() takes a select, or db.insert/update/delete(Model) statements');
}

/** SQLAlchemy's synchronize_session='fetch': find the affected keys first, then keep loaded objects in step. */
async function synchronized(
  session: Session,
  stmt: UpdateStatement<unknown> | DeleteStatement,
): Promise<{ rowsAffected: number }> {
  const mapper = stmt.mapper;
  const node = stmt.toNode();
  const loaded = session.loadedObjects(mapper);
  let affected: InstanceState[] = [];
  if (loaded && loaded.size) {
    const pkCols = mapper.primaryKey.map((pk) => new ColumnRef(pk.column, mapper.table));
    const keys = await session.executeWrite(
      new Select({ columns: pkCols, from: [mapper.table], where: stmt.whereClause() }),
    );
    affected = keys.rows
      .map((r) =>
        loaded.get(mapper.keyFromValues(Object.fromEntries(mapper.primaryKey.map((pk, i) => [pk.key, r[i]])))),
      )
      .filter((x): x is InstanceState => x !== undefined);
  }
  const result = await session.executeWrite(node);
  if (stmt instanceof UpdateStatement) {
    for (const st of affected) {
      for (const [k, v] of Object.entries(stmt.changes as Record<string, unknown>)) {
        st.v[k] = v;
        if (st.orig) delete st.orig[k];
      }
    }
  } else {
    for (const st of affected) session.registerDeleted(st);
  }
  return { rowsAffected: result.rowsAffected };
}
