/**
 * The `relata` command line: parses arguments (node:util parseArgs), runs the command, prints its
 * result or its error, and returns the exit code: 0 done, 1 failed, 2 usage error.
 */
import { parseArgs } from 'node:util';
import { RelataError } from '../sql/errors.js';
import {
  CliContext,
  migrateDown,
  migrateGenerate,
  migrateSql,
  migrateStatus,
  migrateUp,
  pull,
  push,
  type CliIo,
} from './commands.js';
import { CliError, UsageError } from './errors.js';
import { findConfig, loadConfig } from './load.js';

export const USAGE = `Usage: relata <command> [options]

Commands:
  migrate generate -m "message" [--rename table.old=new]... [--empty]
                          write a migration from what differs between the models and the database
  migrate up [target]     apply pending migrations (up to and including target)
  migrate down [target]   revert the last migration (or those after target; 'base': all)
  migrate status          list migrations, applied and pending
  migrate sql [target] [--down]
                          print the SQL up (or down) would run, running nothing
  push [--force]          make the database match the models directly (development); refuses
                          destructive changes without --force
  pull [--out file] [--force]
                          write a models module from the database's tables (--force: over an existing file)

Options:
  --config <file>         the config file (default: relata.config.ts, .mts, .js or .mjs here)
  -h, --help              this help

Exit codes: 0 done, 1 failed, 2 usage error.`;

const OPTIONS = {
  config: { type: 'string' },
  message: { type: 'string', short: 'm' },
  rename: { type: 'string', multiple: true },
  empty: { type: 'boolean' },
  down: { type: 'boolean' },
  force: { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each command takes (beyond --config and --help). */
const ALLOWED: Record<string, readonly string[]> = {
  'migrate generate': ['message', 'rename', 'empty'],
  'migrate up': [],
  'migrate down': [],
  'migrate status': [],
  'migrate sql': ['down'],
  push: ['force'],
  pull: ['out', 'force'],
};
const MAX_POSITIONALS: Record<string, number> = { 'migrate up': 1, 'migrate down': 1, 'migrate sql': 1 };

type Values = ReturnType<typeof parse>['values'];

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function commandOf(positionals: readonly string[]): { name: string; rest: string[] } {
  const [first, second, ...rest] = positionals;
  if (first === 'migrate') {
    const name = `migrate ${second ?? ''}`;
    if (!second) throw new UsageError('migrate needs a subcommand: generate, up, down, status or sql');
    if (!(name in ALLOWED)) throw new UsageError(`unknown command 'migrate ${second}'`);
    return { name, rest };
  }
  if (first === 'push' || first === 'pull') return { name: first, rest: second === undefined ? [] : [second, ...rest] };
  throw new UsageError(first === undefined ? 'no command given' : `unknown command '${first}'`);
}

function checkUsage(name: string, rest: readonly string[], values: Values): void {
  const allowed = ALLOWED[name]!;
  for (const key of Object.keys(values)) {
    if (key === 'config' || key === 'help' || values[key as keyof Values] === undefined) continue;
    if (!allowed.includes(key)) throw new UsageError(`relata ${name} takes no --${key}`);
  }
  const max = MAX_POSITIONALS[name] ?? 0;
  if (rest.length > max) throw new UsageError(`relata ${name}: unexpected argument '${rest[max]}'`);
  if (name === 'migrate generate' && !values.message) {
    throw new UsageError('relata migrate generate needs a message: -m "what it does"');
  }
}

async function dispatch(ctx: CliContext, name: string, rest: readonly string[], values: Values): Promise<void> {
  const target = rest[0];
  switch (name) {
    case 'migrate generate':
      return migrateGenerate(ctx, { message: values.message!, renames: values.rename ?? [], empty: !!values.empty });
    case 'migrate up':
      return migrateUp(ctx, target);
    case 'migrate down':
      return migrateDown(ctx, target);
    case 'migrate status':
      return migrateStatus(ctx);
    case 'migrate sql':
      return migrateSql(ctx, target, !!values.down);
    case 'push':
      return push(ctx, !!values.force);
    case 'pull':
      return pull(ctx, values.out, values.force ?? false);
  }
}

/** Runs the command line `argv` (without `node relata`); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let ctx: CliContext | undefined;
  const started = performance.now();
  try {
    const { values, positionals } = parse(argv);
    if (values.help || positionals.length === 0) {
      io.out(USAGE);
      return values.help ? 0 : 2;
    }
    const { name, rest } = commandOf(positionals);
    checkUsage(name, rest, values);
    ctx = new CliContext(await loadConfig(findConfig(io.cwd, values.config)), io);
    await dispatch(ctx, name, rest, values);
    // A module pulled to stdout stays a module.
    if (!(name === 'pull' && values.out === undefined)) io.out(`(${Math.round(performance.now() - started)} ms)`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`relata: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    const known = err instanceof RelataError || err instanceof CliError;
    io.err(`relata: ${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    await ctx?.close().catch(() => {});
  }
}
