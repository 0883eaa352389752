/**
 * What makes a polymorphic association's integrity a database fact: each target's key is a
 * nullable one-column foreign key on the child table, and a CHECK says exactly one is set. Run
 * once the targets' relationships are configured (their key columns are known only then), before
 * createAll or the schema differ read the table.
 */
import { CheckConstraint } from '../../sql/constraints.js';
import type { Column, ForeignKey } from '../../sql/schema.js';
import { MappingError } from '../errors.js';
import type { RelationshipProperty } from './relationships.js';

/**
 * Referential actions that contradict the CHECK or that MariaDB refuses beside it (errno 1901,
 * "cannot be used in the CHECK clause"): ON DELETE SET NULL / SET DEFAULT would leave the row with
 * no parent, which the CHECK forbids; MariaDB also refuses any ON UPDATE action but RESTRICT / NO
 * ACTION on a column a CHECK reads. Refused on every database, so a model means the same on all.
 */
const REFUSED_ON_DELETE = new Set(['SET NULL', 'SET DEFAULT']);
const ALLOWED_ON_UPDATE = new Set(['RESTRICT', 'NO ACTION']);

/** Checks the members of `name` (one per target) and adds the CHECK that exactly one key is set. */
export function checkMembers(
  name: string,
  key: string,
  members: readonly RelationshipProperty[],
  checkName: string | undefined,
): void {
  const columns = members.map((m) => memberColumn(name, m));
  const seen = new Map<string, RelationshipProperty>();
  for (const m of members) {
    const other = seen.get(m.target.name);
    if (other)
      throw new MappingError(
        `${name}: ${other.key} and ${m.key} both target ${m.target.name}; each target model may appear once`,
      );
    seen.set(m.target.name, m);
  }
  const table = members[0]!.parent.table;
  const ckName = checkName ?? `ck_${table.name}_${key}`;
  if (table.checks.some((c) => c.options.name === ckName || c.name === ckName))
    throw new MappingError(`${name}: table '${table.name}' already has a CHECK named '${ckName}'; pass checkName`);
  const names = columns.map((c) => c.name);
  table.addCheck(
    CheckConstraint.overColumns(
      (q) => `(${names.map((n) => `CASE WHEN ${q(n)} IS NULL THEN 0 ELSE 1 END`).join(' + ')}) = 1`,
      { name: ckName },
    ),
  );
}

/** The member's key column: one nullable column on the child table, with an action the CHECK allows. */
function memberColumn(name: string, m: RelationshipProperty): Column {
  const where = `${name} (target ${m.target.name})`;
  if (m.direction !== 'MANYTOONE' || m.pairs.length !== 1) {
    throw new MappingError(
      `${where}: needs one foreign key column on '${m.parent.table.name}' referring to '${m.target.table.name}' ` +
        `(e.g. ${lower(m.target.name)}Id: db.Column(db.Integer, db.ForeignKey('${m.target.table.name}.id'))), ` +
        `found ${m.direction === 'MANYTOONE' ? `a key of ${m.pairs.length} columns` : 'the foreign key on the target side'}`,
    );
  }
  const pair = m.pairs[0]!;
  const col = pair.local;
  if (!col.nullable) {
    throw new MappingError(
      `${where}: column '${m.parent.table.name}.${col.name}' must be nullable: a row sets one target's key, the others are NULL`,
    );
  }
  const fk = col.foreignKeys.find((f) => f.column === pair.remote)!;
  const { onDelete, onUpdate } = actions(fk);
  if (onDelete && REFUSED_ON_DELETE.has(onDelete)) {
    throw new MappingError(
      `${where}: the foreign key on '${col.name}' has ON DELETE ${onDelete}, which would leave a row with no parent ` +
        `(the CHECK that exactly one key is set forbids it; MariaDB refuses the table, errno 1901): ` +
        `use ondelete: 'CASCADE' (children go with their parent) or none (deleting a parent with children fails)`,
    );
  }
  if (onUpdate && !ALLOWED_ON_UPDATE.has(onUpdate)) {
    throw new MappingError(
      `${where}: the foreign key on '${col.name}' has ON UPDATE ${onUpdate}, which MariaDB refuses on a column ` +
        `a CHECK reads (errno 1901): leave onupdate out (primary keys that change are rare; update the children in the same flush)`,
    );
  }
  return col;
}

function actions(fk: ForeignKey): { onDelete: string | undefined; onUpdate: string | undefined } {
  const o = fk.constraint?.options;
  return {
    onDelete: (o?.onDelete ?? fk.options.ondelete)?.toUpperCase(),
    onUpdate: (o?.onUpdate ?? fk.options.onupdate)?.toUpperCase(),
  };
}

function lower(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
