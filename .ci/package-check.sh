#!/usr/bin/env bash
# The package as an application gets it: `npm pack` (its prepack does a clean build), publint and
# @arethetypeswrong/cli on the tarball, then the tarball installed into a fresh app that queries
# SQLite and PostgreSQL from ESM (.mjs) and CommonJS (.cjs), gets DriverNotInstalledError for a driver
# it lacks, never loads better-sqlite3 for PostgreSQL alone, and type-checks a consumer under
# moduleResolution bundler, node16 and nodenext with skipLibCheck false.
#
# Offline and deterministic: the tarball has no dependencies, so `npm install --offline` of it needs
# no registry; the drivers (better-sqlite3 with its built native module, pg) and @types/node are
# copied, with their dependency closure, from the repository's node_modules (after `npm ci`).
# RELATA_PG_URL points the PostgreSQL queries elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
PG_URL="${RELATA_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}"
started=$(date +%s)
TMP="$(mktemp -d "${TMPDIR:-/tmp}/relata-package-check.XXXXXX")"
cli_cleanup() { :; } # redefined by package-check-cli.sh once it has made its database
trap 'cli_cleanup; rm -rf "$TMP"' EXIT
BIN="$ROOT/node_modules/.bin"

step() { echo "package-check: $*"; }

step "npm pack (prepack: clean build)"
npm pack --pack-destination "$TMP" --silent >/dev/null
TARBALL="$(ls "$TMP"/relata-*.tgz)"
files=$(tar -tzf "$TARBALL" | wc -l)
bytes=$(wc -c <"$TARBALL")
unpacked=$(tar -xzOf "$TARBALL" | wc -c)
step "tarball $(basename "$TARBALL"): $bytes bytes, $unpacked bytes unpacked, $files files"
# Nothing but the whitelist: dist/, docs/*.md, README.md, LICENSE, package.json.
if tar -tzf "$TARBALL" | grep -Ev '^package/(dist/|docs/[^/]+\.md$|README\.md$|LICENSE$|package\.json$)'; then
  echo "package-check: files outside the whitelist are in the tarball (above)" >&2
  exit 1
fi

step "publint"
"$BIN/publint" run --strict "$TARBALL"
step "attw"
"$BIN/attw" --format table-flipped "$TARBALL"

APP="$TMP/app"
mkdir -p "$APP"
cd "$APP"
echo '{ "name": "relata-package-check-app", "private": true, "version": "1.0.0" }' >package.json
step "npm install --offline the tarball"
npm install --offline --no-audit --no-fund --ignore-scripts "$TARBALL" >/dev/null

# Copies packages and everything they depend on (hoisted, as npm ci lays them out) from the repository.
cat >"$TMP/copy-packages.mjs" <<'JS'
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
const [root, app, ...wanted] = process.argv.slice(2);
const seen = new Set();
const visit = (name, optional) => {
  if (seen.has(name)) return;
  const dir = join(root, 'node_modules', name);
  if (!existsSync(dir)) {
    if (optional) return;
    throw new Error(`${name} is not in ${root}/node_modules: run npm ci first`);
  }
  seen.add(name);
  cpSync(dir, join(app, 'node_modules', name), { recursive: true, dereference: true });
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, false);
  for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, true);
};
for (const name of wanted) visit(name, false);
console.log(`package-check: copied ${seen.size} packages: ${[...seen].join(' ')}`);
JS
node "$TMP/copy-packages.mjs" "$ROOT" "$APP" better-sqlite3 pg @types/node

cat >query.mjs <<'JS'
import { Database, DriverNotInstalledError } from 'relata';
const url = process.argv[2];
const db = new Database(url);
class Note extends db.Model('package_check_note', {
  id: db.Column(db.Integer, { primaryKey: true }),
  body: db.Column(db.String(40), { nullable: false }),
}) {}
await db.dropAll();
await db.createAll();
db.session.add(new Note({ body: 'from ESM' }));
await db.session.commit();
const notes = await db.session.query(Note).all();
if (notes.length !== 1 || notes[0].body !== 'from ESM') throw new Error(`unexpected rows: ${JSON.stringify(notes)}`);
await db.dropAll();
await db.close();
if (typeof DriverNotInstalledError !== 'function') throw new Error('DriverNotInstalledError is not exported');
console.log(`package-check: ESM query on ${url.split(':')[0]}: ok`);
JS

cat >query.cjs <<'JS'
const { Database } = require('relata');
async function main(url) {
  const db = new Database(url);
  class Note extends db.Model('package_check_note', {
    id: db.Column(db.Integer, { primaryKey: true }),
    body: db.Column(db.String(40), { nullable: false }),
  }) {}
  await db.dropAll();
  await db.createAll();
  db.session.add(new Note({ body: 'from CJS' }));
  await db.session.commit();
  const notes = await db.session.query(Note).all();
  if (notes.length !== 1 || notes[0].body !== 'from CJS') throw new Error(`unexpected rows: ${JSON.stringify(notes)}`);
  await db.dropAll();
  await db.close();
  const sqliteLoaded = Object.keys(require.cache).some((file) => file.includes('better-sqlite3'));
  if (!url.startsWith('sqlite') && sqliteLoaded) throw new Error('a PostgreSQL-only app loaded better-sqlite3');
  console.log(`package-check: CJS query on ${url.split(':')[0]}: ok (better-sqlite3 loaded: ${sqliteLoaded})`);
}
main(process.argv[2]).catch((err) => {
  console.error(err);
  process.exit(1);
});
JS

# mysql2 is not installed in the app: the error must say so, from either module format.
cat >missing-driver.mjs <<'JS'
import * as esm from 'relata';
import { createRequire } from 'node:module';
const cjs = createRequire(import.meta.url)('relata');
for (const [format, relata] of [['ESM', esm], ['CJS', cjs]]) {
  const db = new relata.Database('mysql://root@127.0.0.1:3306/test');
  class Note extends db.Model('package_check_note', { id: db.Column(db.Integer, { primaryKey: true }) }) {}
  try {
    await db.session.query(Note).all();
    throw new Error(`${format}: a query without mysql2 installed did not fail`);
  } catch (err) {
    if (!(err instanceof relata.DriverNotInstalledError) || err.code !== 'driver-not-installed' || err.packageName !== 'mysql2') throw err;
    console.log(`package-check: ${format} without mysql2: ${err.name}: ${err.message}`);
  } finally {
    await db.close();
  }
}
// The dual-package hazard (docs/packaging.md): the two builds are two copies of every class.
console.log(`package-check: ESM and CJS classes are distinct copies: ${esm.Database !== cjs.Database}`);
JS

step "queries in the app"
node query.mjs sqlite://
node query.mjs "$PG_URL"
node query.cjs sqlite://
node query.cjs "$PG_URL"
node missing-driver.mjs

cat >consumer.ts <<'TS'
import { Database, DriverNotInstalledError, type Related } from 'relata';

const db = new Database('sqlite://');
class User extends db.Model('User', {
  id: db.Column(db.Integer, { primaryKey: true }),
  username: db.Column(db.String(80), { nullable: false }),
}) {
  declare posts: Related<unknown[]>;
}
export async function names(): Promise<string[]> {
  const users = await db.session.query(User).all();
  return users.map((u) => u.username);
}
export const missing = (err: unknown): string | undefined =>
  err instanceof DriverNotInstalledError ? err.packageName : undefined;
TS
cp consumer.ts consumer.mts
cp consumer.ts consumer.cts
tsc_check() {
  local resolution="$1" module="$2"
  shift 2
  "$BIN/tsc" --noEmit --strict --skipLibCheck false --target ES2022 --types node \
    --module "$module" --moduleResolution "$resolution" "$@"
  step "tsc moduleResolution $resolution (module $module) $*: ok"
}
step "type-check a consumer (skipLibCheck false)"
tsc_check bundler preserve consumer.ts
tsc_check node16 node16 consumer.mts consumer.cts
tsc_check nodenext nodenext consumer.mts consumer.cts

# The bin, as an installed package runs it.
# shellcheck source=package-check-cli.sh
source "$ROOT/.ci/package-check-cli.sh"

step "done in $(($(date +%s) - started)) s"
