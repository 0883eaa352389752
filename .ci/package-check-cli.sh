# Sourced by package-check.sh, in the app ($APP) where the tarball is installed: the package's bin.
# - the tarball's dist/cli/main.js starts with the shebang and is executable once installed;
#   --help exits 0, a bad command 2;
# - a JavaScript-only project (relata.config.mjs, models.mjs, no tsx) on SQLite: generate writes a
#   .mjs migration, which goes up, status, down; a .ts migration there is refused naming tsx;
# - with tsx (copied from the repository, offline), relata.config.ts + models.ts on an SQLite file and
#   on a fresh PostgreSQL database: generate -> up -> status -> down -> status, the exit codes and the
#   version table's rows read by sqlite3 / psql (a second connection).
RELATA="$APP/node_modules/.bin/relata"
cli_started=$(date +%s)

# expect_exit CODE LOG command...: runs the command, its output in LOG; fails (printing it) on another exit code.
expect_exit() {
  local want="$1" log="$2" got=0
  shift 2
  "$@" >"$log" 2>&1 || got=$?
  if [ "$got" != "$want" ]; then
    echo "package-check: '$*' exited $got, expected $want:" >&2
    cat "$log" >&2
    exit 1
  fi
}
# expect_in LOG TEXT: LOG contains TEXT (fixed string).
expect_in() {
  grep -qF -- "$2" "$1" || {
    echo "package-check: expected '$2' in the output of $1:" >&2
    cat "$1" >&2
    exit 1
  }
}
# expect_rows WHAT GOT WANT: the version table's ids as read by a second connection.
expect_rows() {
  if [ "$2" != "$3" ]; then
    echo "package-check: $1: version table ids '$2', expected '$3'" >&2
    exit 1
  fi
  step "$1: version table ids: '${2:-none}'"
}

step "bin: shebang, executable, exit codes"
shebang="$(tar -xzOf "$TARBALL" package/dist/cli/main.js | head -n1)"
[ "$shebang" = '#!/usr/bin/env node' ] || { echo "package-check: dist/cli/main.js starts with '$shebang'" >&2; exit 1; }
[ -x "$RELATA" ] && [ -x "$APP/node_modules/relata/dist/cli/main.js" ] || {
  echo "package-check: node_modules/.bin/relata is not executable" >&2
  exit 1
}
expect_exit 0 "$TMP/help.log" "$RELATA" --help
expect_in "$TMP/help.log" 'Usage: relata <command>'
expect_exit 2 "$TMP/bad.log" "$RELATA" frobnicate
expect_in "$TMP/bad.log" "unknown command 'frobnicate'"

models_source() { # models_source EXT: the models module, plain JavaScript or TypeScript.
  cat <<JS
import { Database } from 'relata';
export const db = new Database(process.env.DATABASE_URL$([ "$1" = ts ] && echo ' as string'));
export class Note extends db.Model('cli_note', {
  id: db.Column(db.Integer, { primaryKey: true }),
  body: db.Column(db.String(40), { nullable: false }),
}) {}
JS
}
config_source() { # config_source MODELS
  cat <<JS
import { defineConfig } from 'relata';
export default defineConfig({ models: './$1', url: process.env.DATABASE_URL, migrations: './migrations' });
JS
}
sqlite_ids() { sqlite3 "$1" "SELECT group_concat(id, ' ') FROM (SELECT id FROM relata_migrations ORDER BY id)"; }

step "bin: a JavaScript-only project (relata.config.mjs, models.mjs, no tsx)"
[ ! -e "$APP/node_modules/tsx" ] || { echo "package-check: tsx is in the app before its step" >&2; exit 1; }
mkdir -p "$APP/js" && cd "$APP/js"
models_source mjs >models.mjs
config_source models.mjs >relata.config.mjs
export DATABASE_URL="sqlite:///$APP/js/app.db"
expect_exit 0 "$TMP/js-generate.log" "$RELATA" migrate generate -m init
expect_in "$TMP/js-generate.log" 'Wrote migrations/'
generated="$(ls migrations)"
step "  generate wrote $generated"
# A JavaScript project gets a .mjs migration (the rendered code is plain JS), applied without tsx.
case "$generated" in *.mjs) ;; *) echo "package-check: a .mjs config's generate wrote $generated, not a .mjs file" >&2; exit 1 ;; esac
id="${generated%.mjs}"
expect_exit 0 "$TMP/js-up.log" "$RELATA" migrate up
expect_in "$TMP/js-up.log" "1 migration applied; the database is at $id"
expect_rows "  .mjs migration up (SQLite)" "$(sqlite_ids app.db)" "$id"
expect_exit 0 "$TMP/js-status.log" "$RELATA" migrate status
expect_in "$TMP/js-status.log" "[x] $id  init"
expect_exit 0 "$TMP/js-down.log" "$RELATA" migrate down
expect_rows "  .mjs migration down (SQLite)" "$(sqlite_ids app.db)" ""
# A .ts migration in that project needs tsx, which it does not have: the error says to install it.
cp "migrations/$generated" "migrations/${id}_typed.ts"
expect_exit 1 "$TMP/js-ts.log" "$RELATA" migrate status
expect_in "$TMP/js-ts.log" 'npm i -D tsx'
rm "migrations/${id}_typed.ts"
cd "$APP"

step "bin: a TypeScript project (relata.config.ts, models.ts) with tsx copied into the app"
node "$TMP/copy-packages.mjs" "$ROOT" "$APP" tsx
mkdir -p "$APP/ts" && cd "$APP/ts"
# An ESM project, as `npm init` + "type": "module" makes it (see the report on CJS-typed .ts below).
echo '{ "name": "ts-app", "private": true, "type": "module" }' >package.json
models_source ts >models.ts
config_source models.ts >relata.config.ts

# ts_flow NAME IDS_FUNCTION: generate -> up -> status -> down -> status on $DATABASE_URL.
ts_flow() {
  local name="$1" ids="$2" log="$TMP/ts-$1"
  rm -rf migrations
  expect_exit 0 "$log-generate.log" "$RELATA" migrate generate -m init
  expect_in "$log-generate.log" "add table 'cli_note'"
  local id
  id="$(basename "$(ls migrations/*.ts)" .ts)"
  expect_exit 0 "$log-up.log" "$RELATA" migrate up
  expect_in "$log-up.log" "1 migration applied; the database is at $id"
  expect_rows "  $name up" "$($ids)" "$id"
  expect_exit 0 "$log-status.log" "$RELATA" migrate status
  expect_in "$log-status.log" "[x] $id  init"
  expect_in "$log-status.log" "Current: $id; head: $id; 0 pending"
  expect_exit 0 "$log-generate2.log" "$RELATA" migrate generate -m again
  expect_in "$log-generate2.log" 'No changes: the database matches the models'
  expect_exit 0 "$log-down.log" "$RELATA" migrate down
  expect_in "$log-down.log" '1 migration reverted; the database is at base'
  expect_rows "  $name down" "$($ids)" ""
  expect_exit 0 "$log-status2.log" "$RELATA" migrate status
  expect_in "$log-status2.log" "[ ] $id  init"
  expect_in "$log-status2.log" "Current: base; head: $id; 1 pending"
  step "  $name: generate, up, status, down, status: ok"
}

export DATABASE_URL="sqlite:///$APP/ts/app.db"
ts_ids_sqlite() { sqlite_ids "$APP/ts/app.db"; }
ts_flow SQLite ts_ids_sqlite

# A fresh PostgreSQL database, dropped on exit (package-check.sh's trap calls cli_cleanup).
CLI_PG_DB="relata_package_check_cli_$$"
psql -q -X -v ON_ERROR_STOP=1 "$PG_URL" -c "CREATE DATABASE $CLI_PG_DB" >/dev/null
CLI_PG_URL="${PG_URL%/*}/$CLI_PG_DB"
cli_cleanup() { psql -q -X "$PG_URL" -c "DROP DATABASE IF EXISTS $CLI_PG_DB WITH (FORCE)" >/dev/null 2>&1 || true; }
export DATABASE_URL="$CLI_PG_URL"
ts_ids_pg() {
  psql -X -A -t -v ON_ERROR_STOP=1 "$CLI_PG_URL" -c "SELECT coalesce(string_agg(id, ' ' ORDER BY id), '') FROM relata_migrations"
}
ts_flow PostgreSQL ts_ids_pg
# Without "type": "module" tsx loads the .ts files as CommonJS, which get relata's CJS build (other
# classes than the CLI's): the config still loads, a .ts migration is refused naming the fix.
rm package.json
export DATABASE_URL="sqlite:///$APP/ts/app.db"
expect_exit 1 "$TMP/ts-cjs.log" "$RELATA" migrate up
expect_in "$TMP/ts-cjs.log" 'was loaded as CommonJS (its package.json has no "type": "module")'
step "  a CommonJS-typed TypeScript project: migrate up exits 1 naming \"type\": \"module\""
cd "$APP"
unset DATABASE_URL
step "bin: done in $(($(date +%s) - cli_started)) s"
