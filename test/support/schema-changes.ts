/** What the differ's changes name, for tests to assert on. */
import type { SchemaChange } from '../../src/index.js';

/** The object a change is about: the column, index, constraint or key it names ('' for a table). */
export function changeSubject(c: SchemaChange): string {
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
}
