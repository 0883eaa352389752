/** The option tables of the migration operations (see sql/options.ts): unknown options are errors. */
import { isBoolean, isString, mustBe, oneOf, type OptionTable } from '../sql/options.js';
import { SqlType } from '../sql/types.js';
import type { OperationsOptions } from './migration-operations.js';
import type {
  AlterColumnChanges,
  ConstraintKind,
  CreateForeignKeyOptions,
  CreateIndexOptions,
  ExistingColumn,
} from './operations.js';

export const operationsOptionTable = {
  known: { dryRun: isBoolean, onStatement: mustBe('a function', (v) => typeof v === 'function') },
  refused: {},
} as const satisfies OptionTable<OperationsOptions>;

const isSqlText = mustBe('SQL text', (v) => typeof v === 'string' && v.trim() !== '');
const isType = mustBe('a SQL type such as String(120)', (v) => v instanceof SqlType);
const isNullableText = mustBe('SQL text or null', (v) => v === null || (typeof v === 'string' && v !== ''));
const isCommentText = mustBe('a string or null', (v) => v === null || typeof v === 'string');

export const alterOptionTable = {
  known: {
    type: isType,
    nullable: isBoolean,
    serverDefault: isNullableText,
    comment: isCommentText,
    newName: isString,
    using: isSqlText,
  },
  refused: { server_default: 'use serverDefault', new_column_name: 'use newName' },
} as const satisfies OptionTable<AlterColumnChanges>;

export const existingOptionTable = {
  known: {
    type: isType,
    nullable: isBoolean,
    serverDefault: isNullableText,
    comment: isCommentText,
    autoincrement: isBoolean,
  },
  refused: {},
} as const satisfies OptionTable<ExistingColumn>;

export const indexOptionTable = {
  known: { unique: isBoolean, where: isSqlText, concurrently: isBoolean },
  refused: { postgresql_where: 'use where', postgresql_concurrently: 'use concurrently' },
} as const satisfies OptionTable<CreateIndexOptions>;

const ACTIONS = ['CASCADE', 'SET NULL', 'RESTRICT', 'NO ACTION', 'SET DEFAULT'];
export const foreignKeyOptionTable = {
  known: { onDelete: oneOf(ACTIONS), onUpdate: oneOf(ACTIONS) },
  refused: { ondelete: 'use onDelete', onupdate: 'use onUpdate' },
} as const satisfies OptionTable<CreateForeignKeyOptions>;

export const CONSTRAINT_KINDS: readonly ConstraintKind[] = ['foreignKey', 'unique', 'check', 'primaryKey'];
