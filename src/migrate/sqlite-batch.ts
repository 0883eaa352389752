/**
 * SQLite's table rebuild ("batch", https://www.sqlite.org/lang_altertable.html#otheralter) for the
 * changes ALTER TABLE cannot make, inside the migration's transaction.
 *
 * The documented recipe turns `PRAGMA foreign_keys` off first, which SQLite ignores inside a
 * transaction. With foreign keys on, `DROP TABLE t` deletes t's rows first as a DELETE would: child
 * rows' references count as deferred violations under `PRAGMA defer_foreign_keys` (allowed in a
 * transaction), and the ON DELETE actions of child tables (CASCADE, SET NULL, SET DEFAULT) run. So:
 * the rows are copied to a temporary table, t is dropped and created anew under its own name, and
 * the rows inserted back, which clears the counted violations (each inserted parent row settles the
 * child rows that refer to it); the rows of child tables an ON DELETE action reaches are kept aside
 * before and written back after. `PRAGMA foreign_key_check` of t and its children must be empty at
 * the end, else the operation fails naming the table.
 */
import type { ReflectedTableInfo } from '../schema/introspect/index.js';
import { toTable } from '../schema/introspect/to-table.js';
import type { ReflectedForeignKey } from '../schema/introspect/reflected.js';
import {
  CheckConstraint,
  ForeignKeyConstraint,
  PrimaryKeyConstraint,
  type TableConstraint,
} from '../sql/constraints.js';
import { Column, Table } from '../sql/schema.js';
import type { ConstraintKind } from './operations.js';
import { MigrationOperationError, withTargets } from './op-tables.js';
import type { OperationContext } from './op-context.js';
import type { TableRef } from '../sql/compiler.js';

type Ref = TableRef & { readonly fullName: string };

/** What the new table is: its columns (each with the SQL its values are copied from, null for a new one) and constraints. */
interface Plan {
  columns: { column: Column; from: string | null }[];
  primaryKey: { name: string | null; columns: string[] };
  uniques: { name: string | null; columns: string[] }[];
  foreignKeys: { name: string | null; fk: ForeignKeyConstraint | ReflectedForeignKey }[];
  checks: { name: string | null; sql: string }[];
  /** Indexes of the old table not to create again. */
  droppedIndexes: Set<string>;
}

const ACTIONS = new Set(['CASCADE', 'SET NULL', 'SET DEFAULT']);

export class SqliteBatch {
  constructor(
    private readonly ops: OperationContext,
    private readonly ref: Ref,
    private readonly where: string,
  ) {}

  private get q() {
    return (name: string) => this.ops.sql.quote(name);
  }

  private get master(): string {
    return `${this.q(this.ref.schema ?? 'main')}.sqlite_master`;
  }

  private async info(): Promise<ReflectedTableInfo> {
    const names = await this.ops.inspector(this.ref).getTableNames();
    if (!names.includes(this.ref.name)) {
      const why = this.ops.isDryRun
        ? ': a dry run rebuilds a table from the database, which does not have it yet; run the migrations before this one first'
        : '';
      throw new MigrationOperationError(
        `${this.where}: table '${this.ref.fullName}' does not exist${why} (tables: ${names.join(', ') || 'none'})`,
        this.ref.fullName,
      );
    }
    return this.ops.inspector(this.ref).reflectTable(this.ref.name);
  }

  /** Whether SQLite's DROP COLUMN would refuse the column: in a key, a UNIQUE, an index or a foreign key. */
  async columnIsConstrained(column: string): Promise<boolean> {
    const info = await this.info();
    const lists = [
      info.primaryKey.columns,
      ...info.uniqueConstraints.map((u) => u.columns),
      ...info.indexes.map((ix) => ix.columns),
      ...info.foreignKeys.map((fk) => fk.columns),
    ];
    return lists.some((l) => l.includes(column));
  }

  addColumn(column: Column): Promise<void> {
    return this.rebuild((plan) => {
      plan.columns.push({ column: plainColumn(column), from: null });
      if (column.unique) plan.uniques.push({ name: `uq_${this.ref.name}_${column.name}`, columns: [column.name] });
      for (const fk of column.foreignKeys) {
        const c = new ForeignKeyConstraint([column.name], [fk.target], {
          ...(fk.options.name !== undefined && { name: fk.options.name }),
          ...(fk.options.ondelete !== undefined && { onDelete: fk.options.ondelete }),
          ...(fk.options.onupdate !== undefined && { onUpdate: fk.options.onupdate }),
        });
        plan.foreignKeys.push({ name: fk.options.name ?? null, fk: c });
      }
    });
  }

  dropColumn(column: string): Promise<void> {
    return this.rebuild((plan, info) => {
      if (plan.primaryKey.columns.includes(column))
        throw new MigrationOperationError(
          `${this.where}: column '${column}' is part of the primary key of '${this.ref.fullName}'; drop or change the key first`,
          this.ref.fullName,
          column,
        );
      plan.columns = plan.columns.filter((c) => c.column.name !== column);
      plan.uniques = plan.uniques.filter((u) => !u.columns.includes(column));
      plan.foreignKeys = plan.foreignKeys.filter((f) => !columnsOf(f.fk).includes(column));
      for (const ix of info.indexes) if (ix.columns.includes(column)) plan.droppedIndexes.add(ix.name);
    });
  }

  alterColumn(column: string, change: (c: Column) => Column, using: string | undefined): Promise<void> {
    return this.rebuild((plan) => {
      const i = plan.columns.findIndex((c) => c.column.name === column);
      if (i < 0) throw this.notYet(column);
      const old = plan.columns[i]!;
      plan.columns[i] = { column: plainColumn(change(old.column)), from: using ?? old.from };
    });
  }

  addUnique(name: string, columns: readonly string[]): Promise<void> {
    return this.rebuild((plan) => void plan.uniques.push({ name, columns: [...columns] }));
  }

  addForeignKey(fk: ForeignKeyConstraint): Promise<void> {
    return this.rebuild((plan) => void plan.foreignKeys.push({ name: fk.options.name ?? null, fk }));
  }

  addCheck(check: CheckConstraint): Promise<void> {
    return this.rebuild((plan) => void plan.checks.push({ name: check.options.name ?? null, sql: check.sql }));
  }

  setPrimaryKey(name: string, columns: readonly string[]): Promise<void> {
    return this.rebuild((plan) => {
      if (plan.primaryKey.columns.length)
        throw new MigrationOperationError(
          `${this.where}: table '${this.ref.fullName}' already has a primary key (${plan.primaryKey.columns.join(', ')}); drop it first`,
          this.ref.fullName,
        );
      plan.primaryKey = { name, columns: [...columns] };
    });
  }

  async dropConstraint(name: string, kind: ConstraintKind): Promise<void> {
    // A UNIQUE held as a unique index of that name (as MySQL holds every UNIQUE) goes without a rebuild.
    const info = await this.info();
    const asIndex = info.indexes.find((ix) => ix.name === name && ix.unique);
    if (kind === 'unique' && asIndex && !info.uniqueConstraints.some((u) => u.name === name))
      return this.ops.run([this.ops.sql.dropIndex(name, this.ref)]);
    return this.rebuild((plan) => {
      const before = JSON.stringify([plan.primaryKey, plan.uniques, plan.foreignKeys.map((f) => f.name), plan.checks]);
      if (
        kind === 'primaryKey' &&
        plan.primaryKey.columns.length &&
        (plan.primaryKey.name ?? `pk_${this.ref.name}`) === name
      )
        plan.primaryKey = { name: null, columns: [] };
      if (kind === 'unique') plan.uniques = plan.uniques.filter((u) => u.name !== name);
      if (kind === 'foreignKey') plan.foreignKeys = plan.foreignKeys.filter((f) => f.name !== name);
      if (kind === 'check') plan.checks = plan.checks.filter((c) => c.name !== name);
      const after = JSON.stringify([plan.primaryKey, plan.uniques, plan.foreignKeys.map((f) => f.name), plan.checks]);
      if (before === after)
        throw new MigrationOperationError(
          `${this.where}: table '${this.ref.fullName}' has no ${kind} constraint named '${name}'`,
          this.ref.fullName,
        );
    });
  }

  /**
   * The rebuilt table is computed from the live one: in a dry run an earlier operation (or migration)
   * that adds a column has not run, so a rebuild naming that column cannot be printed truthfully.
   */
  private requirePlannedColumns(plan: Plan): void {
    const have = new Set(plan.columns.map((c) => c.column.name));
    const named = [
      ...plan.primaryKey.columns,
      ...plan.uniques.flatMap((u) => u.columns),
      ...plan.foreignKeys.flatMap((f) => columnsOf(f.fk)),
    ];
    const missing = named.find((n) => !have.has(n));
    if (missing !== undefined) throw this.notYet(missing);
  }

  private notYet(column: string): MigrationOperationError {
    const why = this.ops.isDryRun
      ? `: a dry run rebuilds SQLite's table from the database, where the operation adding it has not run; ` +
        `print this migration's SQL once the ones before it are applied, or apply the earlier operations first`
      : '';
    return new MigrationOperationError(
      `${this.where}: table '${this.ref.fullName}' has no column '${column}'${why}`,
      this.ref.fullName,
      column,
    );
  }

  /** Reads the table, lets `change` edit the plan, and rebuilds the table to it. */
  private async rebuild(change: (plan: Plan, info: ReflectedTableInfo) => void): Promise<void> {
    const info = await this.info();
    const plan = this.planOf(info);
    change(plan, info);
    this.requirePlannedColumns(plan);
    const create = this.createStatements(plan);
    const conn = this.ops.connection;
    // Outside a transaction (no runner), the rebuild is its own: the deferred violations last to its COMMIT.
    const own = !this.ops.isDryRun && !conn.inTransaction;
    if (own) await conn.begin();
    try {
      await this.rebuildTo(plan, info, create);
      if (own) await conn.commit();
    } catch (err) {
      if (own && conn.inTransaction) await conn.rollback();
      throw err;
    }
  }

  private async rebuildTo(plan: Plan, info: ReflectedTableInfo, create: string[]): Promise<void> {
    const { q, ops } = this;
    const table = ops.sql.tableName(this.ref);
    const fkOn = Number((await ops.read('PRAGMA foreign_keys'))[0]?.foreign_keys) === 1;
    const deferred = Number((await ops.read('PRAGMA defer_foreign_keys'))[0]?.defer_foreign_keys) === 1;
    if (fkOn && !deferred) await ops.run(['PRAGMA defer_foreign_keys = ON']);
    const kept = fkOn ? await this.actionChildren() : [];
    const saved = await ops.read(
      `SELECT type, name, sql FROM ${this.master} WHERE tbl_name = ? AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name`,
      [this.ref.name],
    );
    const keepName = (t: string) => `${q('temp')}.${q(`_relata_keep_${t}`)}`;
    const keptTriggers: { child: string; sql: string; name: string }[] = [];
    for (const child of kept) {
      await ops.run([`CREATE TEMP TABLE ${q(`_relata_keep_${child}`)} AS SELECT * FROM ${this.inSchema(child)}`]);
      const triggers = await ops.read(`SELECT name, sql FROM ${this.master} WHERE tbl_name = ? AND type = 'trigger'`, [
        child,
      ]);
      for (const t of triggers) keptTriggers.push({ child, name: String(t.name), sql: String(t.sql) });
    }
    const copy = `${q('temp')}.${q(`_relata_batch_${this.ref.name}`)}`;
    await ops.run([
      `CREATE TEMP TABLE ${q(`_relata_batch_${this.ref.name}`)} AS SELECT * FROM ${table}`,
      `DROP TABLE ${table}`,
      ...create,
    ]);
    const copied = plan.columns.filter((c) => c.from !== null);
    if (copied.length) {
      await ops.run([
        `INSERT INTO ${table} (${copied.map((c) => q(c.column.name)).join(', ')}) SELECT ${copied.map((c) => c.from).join(', ')} FROM ${copy}`,
      ]);
    }
    await ops.run([`DROP TABLE ${copy}`]);
    const indexNames = new Set(info.indexes.map((ix) => ix.name));
    for (const s of saved) {
      const name = String(s.name);
      if (s.type === 'index' && (!indexNames.has(name) || plan.droppedIndexes.has(name))) continue;
      await ops.run([String(s.sql)]);
    }
    // Child rows an ON DELETE action changed, written back as they were (their triggers kept out of it).
    for (const child of kept) {
      const triggers = keptTriggers.filter((t) => t.child === child);
      await ops.run([
        ...triggers.map((t) => `DROP TRIGGER ${this.inSchema(t.name)}`),
        `DELETE FROM ${this.inSchema(child)}`,
        `INSERT INTO ${this.inSchema(child)} SELECT * FROM ${keepName(child)}`,
        `DROP TABLE ${keepName(child)}`,
        ...triggers.map((t) => t.sql),
      ]);
    }
    if (fkOn && !ops.isDryRun) await this.checkForeignKeys();
    if (fkOn && !deferred) await ops.run(['PRAGMA defer_foreign_keys = OFF']);
  }

  private inSchema(name: string): string {
    return this.ops.sql.tableName({ name, schema: this.ref.schema });
  }

  /** Every foreign key of the schema's tables: (child, parent, on_delete). */
  private async edges(): Promise<{ child: string; parent: string; onDelete: string }[]> {
    const rows = await this.ops.read(
      `SELECT m.name AS child, f."table" AS parent, f.on_delete AS on_delete FROM ${this.master} AS m, pragma_foreign_key_list(m.name, ?) AS f WHERE m.type = 'table'`,
      [this.ref.schema ?? 'main'],
    );
    return rows.map((r) => ({
      child: String(r.child),
      parent: String(r.parent),
      onDelete: String(r.on_delete).toUpperCase(),
    }));
  }

  /**
   * The tables whose rows dropping this one changes through ON DELETE actions (directly or through
   * a cascade), parents before children, so writing one back cannot undo another.
   */
  private async actionChildren(): Promise<string[]> {
    const edges = (await this.edges()).filter(
      (e) => ACTIONS.has(e.onDelete) && e.child.toLowerCase() !== e.parent.toLowerCase(),
    );
    const reached = new Set<string>([this.ref.name.toLowerCase()]);
    const names = new Map<string, string>();
    for (let grew = true; grew; ) {
      grew = false;
      for (const e of edges) {
        const c = e.child.toLowerCase();
        if (reached.has(e.parent.toLowerCase()) && !reached.has(c)) {
          reached.add(c);
          names.set(c, e.child);
          grew = true;
        }
      }
    }
    reached.delete(this.ref.name.toLowerCase());
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (t: string): void => {
      if (state.get(t) === 'done') return;
      if (state.get(t) === 'visiting')
        throw new MigrationOperationError(
          `${this.where}: the tables referring to '${this.ref.fullName}' with ON DELETE actions refer to each other in a cycle (through '${names.get(t)}'); SQLite cannot rebuild it inside a transaction with foreign keys on`,
          this.ref.fullName,
        );
      state.set(t, 'visiting');
      for (const e of edges)
        if (e.child.toLowerCase() === t && reached.has(e.parent.toLowerCase())) visit(e.parent.toLowerCase());
      state.set(t, 'done');
      order.push(names.get(t)!);
    };
    for (const t of reached) visit(t);
    return order;
  }

  /** PRAGMA foreign_key_check of the table and of those referring to it: empty, or an error naming them. */
  private async checkForeignKeys(): Promise<void> {
    const children = (await this.edges()).filter((e) => e.parent.toLowerCase() === this.ref.name.toLowerCase());
    const tables = [...new Set([this.ref.name, ...children.map((e) => e.child)])];
    for (const t of tables) {
      const rows = await this.ops.read(`PRAGMA ${this.q(this.ref.schema ?? 'main')}.foreign_key_check(${this.q(t)})`);
      if (rows.length)
        throw new MigrationOperationError(
          `${this.where}: after rebuilding '${this.ref.fullName}', ${rows.length} row${rows.length === 1 ? '' : 's'} of '${t}' ` +
            `refer${rows.length === 1 ? 's' : ''} to missing rows of '${String(rows[0]!.parent)}' (PRAGMA foreign_key_check)`,
          this.ref.fullName,
        );
    }
  }

  /** The table as the catalog has it, constraints apart from columns so changes can edit them. */
  private planOf(info: ReflectedTableInfo): Plan {
    const reflected = toTable(info, { schema: undefined, defaultSchema: 'main' });
    const pk = new Set(info.primaryKey.columns);
    return {
      columns: reflected.columns.map((c) => ({
        column: new Column(c.name, c.type, [], {
          nullable: c.nullable && !pk.has(c.name),
          ...(c.serverDefault !== undefined && { serverDefault: c.serverDefault }),
        }),
        from: this.q(c.name),
      })),
      primaryKey: { name: info.primaryKey.name, columns: [...info.primaryKey.columns] },
      uniques: info.uniqueConstraints.map((u) => ({ name: u.name, columns: [...u.columns] })),
      foreignKeys: info.foreignKeys.map((fk) => ({ name: fk.name, fk })),
      checks: reflected.checks.map((c) => ({ name: c.options.name ?? null, sql: c.sql })),
      droppedIndexes: new Set(),
    };
  }

  /** CREATE TABLE for the plan (indexes are the old table's own SQL, run again after the rows). */
  private createStatements(plan: Plan): string[] {
    const constraints: TableConstraint[] = [];
    if (plan.primaryKey.columns.length)
      constraints.push(
        new PrimaryKeyConstraint(
          plan.primaryKey.columns,
          plan.primaryKey.name !== null ? { name: plan.primaryKey.name } : {},
        ),
      );
    for (const { fk } of plan.foreignKeys) {
      if (fk instanceof ForeignKeyConstraint) {
        constraints.push(
          new ForeignKeyConstraint(
            fk.columnNames,
            fk.elements.map((e) => e.target),
            fk.options,
          ),
        );
        continue;
      }
      const target =
        fk.referredTable.includes('.') || this.ref.schema === undefined
          ? fk.referredTable
          : `${this.ref.schema}.${fk.referredTable}`;
      constraints.push(
        new ForeignKeyConstraint(
          fk.columns,
          fk.referredColumns.map((c) => `${target}.${c}`),
          {
            ...(fk.name !== null && { name: fk.name }),
            ...(fk.onDelete && { onDelete: fk.onDelete }),
            ...(fk.onUpdate && { onUpdate: fk.onUpdate }),
          },
        ),
      );
    }
    for (const c of plan.checks) constraints.push(new CheckConstraint(c.sql, c.name !== null ? { name: c.name } : {}));
    // Fresh columns: a Column belongs to one table, and a key column takes NOT NULL from the key.
    const pk = new Set(plan.primaryKey.columns);
    const columns = plan.columns.map(
      ({ column: c }) =>
        new Column(c.name, c.type, [], {
          ...(!pk.has(c.name) && { nullable: c.nullable }),
          ...(c.serverDefault !== undefined && { serverDefault: c.serverDefault }),
        }),
    );
    const table = withTargets(
      new Table(this.ref.name, columns, constraints, this.ref.schema !== undefined ? { schema: this.ref.schema } : {}),
    );
    const uniques = plan.uniques.map((u) => this.ops.sql.uniqueClause(u.name, u.columns));
    return this.ops.sql.tableDDL(table, false, uniques);
  }
}

function columnsOf(fk: ForeignKeyConstraint | ReflectedForeignKey): readonly string[] {
  return fk instanceof ForeignKeyConstraint ? fk.columnNames : fk.columns;
}

/** A column without its own keys and constraints (the plan holds those), for the rebuilt table. */
function plainColumn(c: Column): Column {
  return new Column(c.name, c.type, [], {
    nullable: c.nullable,
    ...(c.serverDefault !== undefined && { serverDefault: c.serverDefault }),
  });
}
