/**
 * The migration generator's last step: SchemaChange[] (from compareSchemas) → a migration file in
 * TypeScript, `export default defineMigration({ id, revises, message, up, down })`, importing only
 * from 'relata'. Renames are never guessed: a dropped and an added table, or a dropped and an added
 * column of one type in one table, are written as drop + add with a loud comment, unless `renames`
 * says they are one (then `op.renameTable` / `op.renameColumn`).
 */
import type { SchemaChange } from '../schema/compare/changes.js';
import { ArgumentError } from '../sql/errors.js';
import { checkOptions, mustBe, type OptionTable } from '../sql/options.js';
import { changeCode, type ChangeCode } from './render/changes.js';
import { Imports, quote, typeCode } from './render/source.js';

/**
 * Options of `renderMigration`.
 *
 * @example
 * ```ts
 * import type { RenderMigrationOptions } from 'relata';
 *
 * const options: RenderMigrationOptions = {
 *   id: '20261203_0900_rename_name',
 *   revises: null,
 *   message: 'rename user.name',
 *   renames: { 'user.name': 'full_name' },
 * };
 * ```
 */
export interface RenderMigrationOptions {
  /** The migration's id (also its file name without `.ts`): see `migrationId()`. */
  readonly id: string;
  /** The id of the migration it follows (the current head), or null for the first. */
  readonly revises: string | null;
  /** What it does. */
  readonly message: string;
  /**
   * Renames to write instead of drop + add: `{ 'user.name': 'full_name' }` (a column; the value may
   * also be `'user.full_name'`) or `{ 'person': 'member' }` (a table, by full name).
   */
  readonly renames?: Readonly<Record<string, string>>;
  /** The module the file imports from (default 'relata'). */
  readonly importFrom?: string;
}

const renderOptionTable: OptionTable<RenderMigrationOptions> = {
  known: {
    id: mustBe('a migration id', (v) => typeof v === 'string' && /^[\w.-]+$/.test(v)),
    revises: mustBe('an id or null', (v) => v === null || typeof v === 'string'),
    message: mustBe('a string', (v) => typeof v === 'string'),
    renames: mustBe('an object of old → new names', (v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
    importFrom: mustBe('a module name', (v) => typeof v === 'string' && v !== ''),
  },
  refused: {},
};

/**
 * A drop and an add that may be one rename: what `relata migrate generate` asks about on a terminal.
 *
 * @example
 * ```ts
 * import { compareSchemas, reflectMetaData, renameCandidates, type RenameCandidate } from 'relata';
 *
 * const live = await reflectMetaData(db.engine);
 * const changes = compareSchemas(db.registry.metadata, live.metadata, { dialect: db.engine.dialect });
 * const found: RenameCandidate[] = renameCandidates(changes);
 * for (const c of found) console.log(`${c.key} → ${c.to}?`); // 'user.name → full_name?'
 * ```
 */
export interface RenameCandidate {
  /** A table or a column. */
  readonly kind: 'table' | 'column';
  /** The table (for a column), or the dropped table. */
  readonly table: string;
  /** The dropped name. */
  readonly from: string;
  /** The added name. */
  readonly to: string;
  /** The key of `renames` that confirms it (`'user.name'`, or the table's name). */
  readonly key: string;
}

type Of<K extends SchemaChange['kind']> = Extract<SchemaChange, { kind: K }>;

/** The same type, as the file would write it. */
function sameType(a: Of<'drop-column'>, b: Of<'add-column'>): boolean {
  const imports = new Imports();
  return (
    typeCode(a.liveColumn.type, a.liveColumn, imports).code ===
    typeCode(b.modelColumn.type, b.modelColumn, imports).code
  );
}

/**
 * Every drop + add that could be a rename: a dropped and an added table; a dropped and an added
 * column of the same type in one table.
 *
 * @example
 * ```ts
 * import { compareSchemas, reflectMetaData, renameCandidates } from 'relata';
 *
 * const live = await reflectMetaData(db.engine);
 * const changes = compareSchemas(db.registry.metadata, live.metadata, { dialect: db.engine.dialect });
 * for (const c of renameCandidates(changes)) console.log(`--rename ${c.key}=${c.to}`);
 * ```
 */
export function renameCandidates(changes: readonly SchemaChange[]): RenameCandidate[] {
  const out: RenameCandidate[] = [];
  const of = <K extends SchemaChange['kind']>(kind: K) => changes.filter((c): c is Of<K> => c.kind === kind);
  for (const d of of('drop-table')) {
    for (const a of of('add-table'))
      out.push({ kind: 'table', table: d.table, from: d.table, to: a.table, key: d.table });
  }
  for (const d of of('drop-column')) {
    for (const a of of('add-column')) {
      if (a.table !== d.table || !sameType(d, a)) continue;
      const from = d.liveColumn.name;
      out.push({ kind: 'column', table: d.table, from, to: a.modelColumn.name, key: `${d.table}.${from}` });
    }
  }
  return out;
}

/** A rename given in `renames`, matched to the two changes it replaces. */
interface Rename {
  readonly candidate: RenameCandidate;
  readonly drop: SchemaChange;
  readonly add: SchemaChange;
}

function matchRenames(changes: readonly SchemaChange[], renames: Readonly<Record<string, string>>): Rename[] {
  const candidates = renameCandidates(changes);
  const out: Rename[] = [];
  for (const [key, value] of Object.entries(renames)) {
    const found = candidates.filter((c) => c.key === key);
    const to =
      found[0]?.kind === 'column' && value.startsWith(`${found[0].table}.`)
        ? value.slice(found[0].table.length + 1)
        : value;
    const candidate = found.find((c) => c.to === to);
    if (!candidate) {
      const options = candidates.map((c) => `${c.key}=${c.to}`);
      throw new ArgumentError(
        `rename ${key} → ${value}: the models and the database show no dropped '${key}' and added '${value}'` +
          (found[0]?.kind === 'column' ? ' of the same type' : '') +
          ` (possible renames: ${options.length ? options.join(', ') : 'none'})`,
      );
    }
    const isDrop = (c: SchemaChange) =>
      candidate.kind === 'table'
        ? c.kind === 'drop-table' && c.table === candidate.from
        : c.kind === 'drop-column' && c.table === candidate.table && c.liveColumn.name === candidate.from;
    const isAdd = (c: SchemaChange) =>
      candidate.kind === 'table'
        ? c.kind === 'add-table' && c.table === candidate.to
        : c.kind === 'add-column' && c.table === candidate.table && c.modelColumn.name === candidate.to;
    out.push({ candidate, drop: changes.find(isDrop)!, add: changes.find(isAdd)! });
  }
  return out;
}

function renameCode(r: RenameCandidate): ChangeCode {
  if (r.kind === 'table') {
    return {
      comments: [
        `rename table ${r.from} → ${r.to} (confirmed); its columns are not compared here: run generate again after applying`,
      ],
      up: [`await op.renameTable(${quote(r.from)}, ${quote(r.to)});`],
      down: [`await op.renameTable(${quote(r.to)}, ${quote(r.from)});`],
    };
  }
  const t = quote(r.table);
  return {
    comments: [`rename column ${r.table}.${r.from} → ${r.to} (confirmed)`],
    up: [`await op.renameColumn(${t}, ${quote(r.from)}, ${quote(r.to)});`],
    down: [`await op.renameColumn(${t}, ${quote(r.to)}, ${quote(r.from)});`],
  };
}

/** The loud comment on a drop or an add that may be half of a rename. */
function maybeRename(change: SchemaChange, candidates: readonly RenameCandidate[]): string[] {
  const out: string[] = [];
  for (const c of candidates) {
    const drop =
      (c.kind === 'table' && change.kind === 'drop-table' && change.table === c.from) ||
      (c.kind === 'column' &&
        change.kind === 'drop-column' &&
        change.table === c.table &&
        change.liveColumn.name === c.from);
    const add =
      (c.kind === 'table' && change.kind === 'add-table' && change.table === c.to) ||
      (c.kind === 'column' &&
        change.kind === 'add-column' &&
        change.table === c.table &&
        change.modelColumn.name === c.to);
    if (!drop && !add) continue;
    const instead =
      c.kind === 'table'
        ? `op.renameTable(${quote(c.from)}, ${quote(c.to)})`
        : `op.renameColumn(${quote(c.table)}, ${quote(c.from)}, ${quote(c.to)})`;
    out.push(
      `!!! POSSIBLE RENAME: if ${c.kind} ${c.key} became ${c.to}, this drop + add LOSES ITS DATA: replace both with ${instead}`,
      `    (or generate again with --rename ${c.key}=${c.to})`,
    );
  }
  return out;
}

function indent(lines: readonly string[], comments: readonly string[]): string[] {
  return [...comments.map((c) => `    // ${c}`), ...lines.flatMap((l) => l.split('\n')).map((l) => `    ${l}`)];
}

/**
 * The migration file for `changes`: `up` applies them in order, `down` undoes them in reverse.
 *
 * @example
 * ```ts
 * import { compareSchemas, reflectMetaData, renderMigration } from 'relata';
 *
 * const live = await reflectMetaData(db.engine);
 * const changes = compareSchemas(db.registry.metadata, live.metadata, { dialect: db.engine.dialect });
 * const source = renderMigration(changes, { id: '20261203_0900_add_email', revises: null, message: 'add email' });
 * ```
 */
export function renderMigration(changes: readonly SchemaChange[], options: RenderMigrationOptions): string {
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('renderMigration(changes, options): options must be an object');
  checkOptions(options, renderOptionTable, 'renderMigration()', ArgumentError);
  for (const key of ['id', 'revises', 'message'] as const) {
    if (options[key] === undefined) throw new ArgumentError(`renderMigration(): option ${key} is required`);
  }
  const renames = matchRenames(changes, options.renames ?? {});
  const replaced = new Map<SchemaChange, RenameCandidate | null>();
  for (const r of renames) {
    replaced.set(r.add, r.candidate.kind === 'table' ? r.candidate : null);
    replaced.set(r.drop, r.candidate.kind === 'column' ? r.candidate : null);
  }
  const confirmed = new Set(renames.map((r) => r.candidate));
  const open = renameCandidates(changes).filter(
    (c) =>
      ![...confirmed].some((r) => r.kind === c.kind && r.table === c.table && (r.from === c.from || r.to === c.to)),
  );
  const imports = new Imports();
  const codes: ChangeCode[] = [];
  for (const change of changes) {
    if (replaced.has(change)) {
      const r = replaced.get(change);
      if (r) codes.push(renameCode(r));
      continue;
    }
    const code = changeCode(change, imports);
    codes.push({ ...code, comments: [...maybeRename(change, open), ...code.comments] });
  }
  const up = codes.flatMap((c) => indent(c.up, c.comments));
  const down = [...codes].reverse().flatMap((c) => indent(c.down, []));
  const empty = ['    // no schema changes: write the migration here (op.execute(sql) for data)'];
  return [
    '/**',
    ` * ${options.message.replace(/\*\//g, '* /').replace(/\n/g, '\n * ')}`,
    ' *',
    ' * Written by `relata migrate generate` from what differs between the models and the database.',
    ' * Review it before applying it: comments marked DESTRUCTIVE or POSSIBLE RENAME need a decision.',
    ' */',
    `import { ${imports.list().join(', ')} } from ${quote(options.importFrom ?? 'relata')};`,
    '',
    'export default defineMigration({',
    `  id: ${quote(options.id)},`,
    `  revises: ${options.revises === null ? 'null' : quote(options.revises)},`,
    `  message: ${quote(options.message)},`,
    '  async up(op) {',
    ...(up.length ? up : empty),
    '  },',
    '  async down(op) {',
    ...(down.length ? down : empty),
    '  },',
    '});',
    '',
  ].join('\n');
}

/**
 * A new migration's id: the UTC time and the message as a slug, `20261203_090000_add_user_email`,
 * so that ids sort by creation and name what they do.
 *
 * @example
 * ```ts
 * import { migrationId } from 'relata';
 *
 * migrationId('Add user.email', new Date('2026-12-03T09:00:00Z')); // '20261203_090000_add_user_email'
 * ```
 */
export function migrationId(message: string, now: Date = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}_${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const slug = message
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  return slug ? `${stamp}_${slug}` : stamp;
}
