/**
 * Loads a database driver package (better-sqlite3, pg, mysql2) the first time a dialect needs a
 * connection. Every driver is an optional peer dependency: an application installs only the ones it
 * uses, so `import 'relata'` must never load one, and a missing or broken one must say which package
 * to install and what needed it.
 */
import { RelataError } from '../sql/errors.js';

/** What asks for a driver: the package, and the dialect plus database (URL or file) that needs it. */
export interface DriverRequest {
  /** The npm package to install: `'pg'`, `'mysql2'`, `'better-sqlite3'`. */
  readonly packageName: string;
  /** What is imported from it, when not the package itself: `'mysql2/promise'`. */
  readonly specifier?: string;
  /** The dialect's name for messages: `'PostgreSQL'`. */
  readonly dialect: string;
  /** The database it was needed for, without a password: `postgresql://app@db/prod`, `'app.db'`. */
  readonly database: string;
}

/** Imports a module by specifier; the default is the runtime's own `import()` (`require()` in the CJS build). */
export type DriverImporter = (specifier: string) => Promise<unknown>;

/**
 * A dialect needs a driver package that is not installed. Install the package it names
 * (`npm install pg`); drivers are optional peer dependencies of Relata.
 *
 * @example
 * ```ts
 * import { Database, DriverNotInstalledError } from 'relata';
 *
 * const db = new Database('postgresql://app@127.0.0.1/app');
 * try {
 *   await db.createAll(); // the first statement loads the driver
 * } catch (err) {
 *   if (err instanceof DriverNotInstalledError) console.error(`run: npm install ${err.packageName}`);
 * }
 * ```
 */
export class DriverNotInstalledError extends RelataError {
  override readonly code = 'driver-not-installed';
  /** The npm package to install. */
  readonly packageName: string;
  /** The dialect that needed it. */
  readonly dialect: string;
  constructor(request: DriverRequest, options?: { cause?: unknown }) {
    super(
      `the ${request.dialect} dialect needs the package '${request.packageName}' for ${request.database}, ` +
        `and it is not installed: run \`npm install ${request.packageName}\` (drivers are optional peer dependencies of relata)`,
      options,
    );
    this.packageName = request.packageName;
    this.dialect = request.dialect;
  }
}

/**
 * A driver package is installed but failed to load: a native module built for another Node.js
 * version or platform, a missing dependency of its own, an incompatible version. `cause` is the
 * loader's error.
 *
 * @example
 * ```ts
 * import { Database, DriverLoadError } from 'relata';
 *
 * const db = new Database('sqlite://');
 * try {
 *   await db.createAll(); // the first statement loads the driver
 * } catch (err) {
 *   if (err instanceof DriverLoadError) console.error(`reinstall ${err.packageName}:`, err.cause);
 * }
 * ```
 */
export class DriverLoadError extends RelataError {
  override readonly code = 'driver-load';
  /** The npm package that failed to load. */
  readonly packageName: string;
  /** The dialect that needed it. */
  readonly dialect: string;
  constructor(request: DriverRequest, cause: unknown) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(
      `the ${request.dialect} dialect needs the package '${request.packageName}' for ${request.database}: ` +
        `it is installed but failed to load (${reason}); reinstall it for this Node.js ` +
        `(${process.version}, ${process.platform}-${process.arch}), e.g. \`npm rebuild ${request.packageName}\``,
      { cause },
    );
    this.packageName = request.packageName;
    this.dialect = request.dialect;
  }
}

const importModule: DriverImporter = (specifier) => import(specifier);

/**
 * Imports the driver, turning the loader's failure into a {@link DriverNotInstalledError} when the
 * package itself cannot be found, and into a {@link DriverLoadError} otherwise: a package that is
 * found but whose own dependency is missing is broken, not absent.
 */
export async function loadDriver(request: DriverRequest, importer: DriverImporter = importModule): Promise<unknown> {
  const specifier = request.specifier ?? request.packageName;
  try {
    return await importer(specifier);
  } catch (err) {
    if (isNotFound(err, request.packageName, specifier)) throw new DriverNotInstalledError(request, { cause: err });
    throw new DriverLoadError(request, err);
  }
}

/**
 * ESM says "Cannot find package 'pg' imported from …" (ERR_MODULE_NOT_FOUND), CommonJS
 * "Cannot find module 'pg'" (MODULE_NOT_FOUND); either names what was missing, which must be the
 * driver itself and not something it imports.
 */
function isNotFound(err: unknown, packageName: string, specifier: string): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const firstLine = err.message.split('\n')[0] ?? '';
  return [packageName, specifier].some((name) => firstLine.includes(`'${name}'`));
}
