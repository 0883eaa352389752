/**
 * One column of the models against the same column of the database: type, nullability, server default,
 * comment (Alembic's `compare_type`, `compare_server_default`, comment comparison).
 *
 * Types: both columns are rendered by the dialect's own compiler (the reflected column's type is what
 * introspection mapped the catalog's type to), so the equivalences the dialect has are built in:
 * SQLite's BIGINT is INTEGER, MySQL's TINYINT(1) is BOOLEAN, PostgreSQL's serial/identity integer is
 * INTEGER, `varchar` without a length is VARCHAR. Enums compare their labels too. A type neither side
 * can render, or one introspection could not map (UnknownSqlType), is not judged and not reported,
 * except on SQLite, where a differing type affinity is a real difference.
 *
 * Server defaults are compared normalised (sql-text.ts): literals by value, casts and parentheses
 * removed; a column whose values the database generates (autoincrement) has no default to compare.
 */
import type { SqlCompiler } from '../../sql/compiler.js';
import type { Column } from '../../sql/schema.js';
import { storedType } from '../../sql/type-decorator.js';
import type { ArrayType, EnumType, SqlType } from '../../sql/types.js';
import { UnknownSqlType } from '../introspect/reflected.js';
import type { ColumnPropertyChange } from './changes.js';
import { normaliseDefault, normaliseTypeText, sqliteAffinity } from './sql-text.js';

/** The dialect families the differ knows. */
export type CompareDialect = 'sqlite' | 'postgres' | 'mysql';

/** The column's type as the dialect writes it in CREATE TABLE, normalised; null when it has none there. */
function renderedType(compiler: SqlCompiler, column: Column): string | null {
  const type = storedType(column.type);
  if (type instanceof UnknownSqlType) return normaliseTypeText(type.sqlText);
  try {
    return normaliseTypeText(compiler.columnType(column));
  } catch {
    // No column type on this dialect (an ArrayOf on SQLite): nothing to compare it with.
    return null;
  }
}

/** The labels an Enum (or an array of one) restricts values to, or null for any other type. */
function enumLabels(type: SqlType<unknown>): string | null {
  let t = storedType(type);
  if (t.typeName === 'Array') t = storedType((t as ArrayType<unknown>).item);
  return t.typeName === 'Enum' ? (t as EnumType).values.join('\u0000') : null;
}

/** Whether the model's type differs from the database's, when the differ can tell. */
export function typeDiffers(model: Column, live: Column, compiler: SqlCompiler, dialect: CompareDialect): boolean {
  const modelText = renderedType(compiler, model);
  const liveText = renderedType(compiler, live);
  if (modelText === null || liveText === null) return false;
  if (storedType(live.type) instanceof UnknownSqlType) {
    if (modelText === liveText) return false;
    // SQLite stores by affinity: a type of another affinity keeps values differently; the same one does not.
    return dialect === 'sqlite' && sqliteAffinity(modelText) !== sqliteAffinity(liveText);
  }
  if (modelText !== liveText) return true;
  // SQLite renders an Enum as VARCHAR(n) (its CHECK holds the labels); elsewhere the text has them, or the type's name.
  return enumLabels(model.type) !== enumLabels(live.type);
}

/** The properties of `model` that differ from `live`, in a fixed order. */
export function columnChanges(
  model: Column,
  live: Column,
  compiler: SqlCompiler,
  dialect: CompareDialect,
): ColumnPropertyChange[] {
  const out: ColumnPropertyChange[] = [];
  if (typeDiffers(model, live, compiler, dialect)) out.push('type');
  if (model.nullable !== live.nullable) out.push('nullable');
  if (!model.autoincrement && !live.autoincrement) {
    if (normaliseDefault(model.serverDefault) !== normaliseDefault(live.serverDefault)) out.push('serverDefault');
  }
  // SQLite keeps no comments: a model's comment is no drift there.
  if (dialect !== 'sqlite' && (model.comment ?? null) !== (live.comment ?? null)) out.push('comment');
  return out;
}

/** Whether applying these changes may lose data: a type change, or NULLs that NOT NULL refuses. */
export function columnChangeIsDestructive(changes: readonly ColumnPropertyChange[], model: Column): boolean {
  return changes.includes('type') || (changes.includes('nullable') && !model.nullable);
}
