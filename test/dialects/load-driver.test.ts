/**
 * Drivers are optional peer dependencies loaded on first use: a package that is not installed gets a
 * DriverNotInstalledError naming the package and the database that needed it; one that is installed
 * but fails to load (a native binary for another Node.js, a dependency of its own missing) gets a
 * DriverLoadError that keeps the loader's error as its cause. The resolver is real: Node's own,
 * pointed at fake driver packages in test/dialects/fixtures/drivers/node_modules.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeEachDialect, itOn } from '../support/databases.js';
import { DriverLoadError, DriverNotInstalledError, RelataError } from '../../src/index.js';
import { loadDriver, type DriverImporter, type DriverRequest } from '../../src/dialects/load-driver.js';

const fixtures = fileURLToPath(new URL('./fixtures/drivers/', import.meta.url));
const resolveFromFixtures = createRequire(`${fixtures}app.js`);

/** Node's resolver from the fixtures directory, then Node's ESM loader on what it found. */
const fromFixtures: DriverImporter = (specifier) => import(pathToFileURL(resolveFromFixtures.resolve(specifier)).href);

/** Node's CommonJS loader from the fixtures directory, as the CJS build's require() would load it. */
const requireFromFixtures: DriverImporter = (specifier) => Promise.resolve(resolveFromFixtures(specifier));

function request(packageName: string, specifier?: string): DriverRequest {
  return {
    packageName,
    ...(specifier ? { specifier } : {}),
    dialect: 'PostgreSQL',
    database: 'postgresql://app@db/prod',
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the load to fail');
}

describe('loadDriver', () => {
  it.each([
    ['the ESM loader', fromFixtures],
    ['the CommonJS loader', requireFromFixtures],
  ])('a package that is not installed is DriverNotInstalledError, through %s', async (_, importer) => {
    const err = await failure(loadDriver(request('relata-test-not-installed'), importer));
    expect(err).toBeInstanceOf(DriverNotInstalledError);
    expect(err).toBeInstanceOf(RelataError);
    const e = err as DriverNotInstalledError;
    expect(e.code).toBe('driver-not-installed');
    expect(e.packageName).toBe('relata-test-not-installed');
    expect(e.dialect).toBe('PostgreSQL');
    expect(e.message).toBe(
      "the PostgreSQL dialect needs the package 'relata-test-not-installed' for postgresql://app@db/prod, and it is " +
        'not installed: run `npm install relata-test-not-installed` (drivers are optional peer dependencies of relata)',
    );
    expect((e.cause as { code?: string }).code).toBe('MODULE_NOT_FOUND');
  });

  it('names the package to install when a subpath of it was imported (mysql2/promise)', async () => {
    const err = await failure(
      loadDriver(request('relata-test-not-installed', 'relata-test-not-installed/promise'), fromFixtures),
    );
    expect(err).toBeInstanceOf(DriverNotInstalledError);
    expect((err as DriverNotInstalledError).message).toContain('`npm install relata-test-not-installed`');
  });

  it("the runtime's own import() of a missing package is DriverNotInstalledError", async () => {
    const err = await failure(loadDriver(request('relata-test-not-installed')));
    expect(err).toBeInstanceOf(DriverNotInstalledError);
  });

  it('a driver whose native binary does not load is DriverLoadError, keeping the cause', async () => {
    const err = await failure(loadDriver(request('relata-test-broken-native'), fromFixtures));
    expect(err).toBeInstanceOf(DriverLoadError);
    const e = err as DriverLoadError;
    expect(e.code).toBe('driver-load');
    expect(e.packageName).toBe('relata-test-broken-native');
    expect((e.cause as { code?: string }).code).toBe('ERR_DLOPEN_FAILED');
    expect(e.message).toMatch(
      /^the PostgreSQL dialect needs the package 'relata-test-broken-native' for postgresql:\/\/app@db\/prod: it is installed but failed to load \(The module .* NODE_MODULE_VERSION 108\. .*\); reinstall it for this Node\.js \(v\d+\.\d+\.\d+, \w+-\w+\), e\.g\. `npm rebuild relata-test-broken-native`$/,
    );
  });

  it.each([
    ['the ESM loader', fromFixtures],
    ['the CommonJS loader', requireFromFixtures],
  ])(
    'an installed driver missing a dependency of its own is DriverLoadError, not "not installed", through %s',
    async (_, importer) => {
      const err = await failure(loadDriver(request('relata-test-missing-dependency'), importer));
      expect(err).toBeInstanceOf(DriverLoadError);
      expect((err as DriverLoadError).message).toContain("Cannot find module 'relata-test-absent-dependency'");
    },
  );

  it('returns the module of an installed driver', async () => {
    const mod = (await loadDriver({ packageName: 'better-sqlite3', dialect: 'SQLite', database: "':memory:'" })) as {
      default: unknown;
    };
    expect(typeof mod.default).toBe('function');
  });
});

const DRIVER = { sqlite: 'better-sqlite3', postgres: 'pg', mysql: 'mysql2' } as const;
const script = fileURLToPath(new URL('./fixtures/drivers-loaded.ts', import.meta.url));
const run = promisify(execFile);

describeEachDialect('drivers load on first use', (t) => {
  const it = itOn(t);
  it('import and new Database() load no driver; the first statement loads only its own', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, t.url], { timeout: 60_000 });
    expect(JSON.parse(stdout)).toEqual({
      afterImport: [],
      afterConstruct: [],
      afterFirstStatement: [DRIVER[t.dialect]],
    });
  });
});
