/**
 * End-to-end: the built page (playground/dist) in Debian's Chromium, driven by playwright-core.
 * Runs every section and checks the rows and statement counts it shows, a type error for a bad
 * edit, a run error for a throwing edit, and saves a screenshot of each section.
 *
 * Run with `npm run test:playground` from the repository root (it builds first).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { serveStatic, type StaticServer } from './server.js';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = join(here, '..', 'dist');
const SCREENSHOTS = join(here, '..', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const WIDTH = 1280;

/** What one console.log showed: its text, and the rows of its table if it printed one. */
interface Printed {
  readonly text: string;
  readonly rows: string[][];
}

let server: StaticServer;
let context: BrowserContext;
let page: Page;
let profile: string;
const pageErrors: string[] = [];

const section = (id: string): Locator => page.locator(`section[data-section="${id}"]`);

async function runs(id: string): Promise<number> {
  return Number(await section(id).getAttribute('data-runs'));
}

/** Clicks a button of the section and waits for the run it starts to finish. */
async function clickAndWait(id: string, action: 'run' | 'run-anyway' | 'reset'): Promise<string> {
  const before = await runs(id);
  await section(id).locator(`button[data-action="${action}"]`).click();
  await page.waitForFunction(
    ([sel, n]) => Number(document.querySelector(sel)?.getAttribute('data-runs')) > n,
    [`section[data-section="${id}"]`, before] as const,
    { timeout: 30_000 },
  );
  return (await section(id).getAttribute('data-state')) ?? '';
}

async function printed(id: string): Promise<Printed[]> {
  return section(id)
    .locator('.output-panel .out-entry')
    .evaluateAll((entries) =>
      entries.map((e) => ({
        text: [...e.querySelectorAll('.out-line')].map((l) => l.textContent ?? '').join(' '),
        rows: [...e.querySelectorAll('tbody tr')].map((tr) =>
          [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''),
        ),
      })),
    );
}

function rowsOf(out: Printed[], label: string): string[][] {
  const entry = out.find((p) => p.text === label);
  assert.ok(entry, `printed '${label}' (printed: ${out.map((p) => p.text).join(' | ')})`);
  return entry.rows;
}

async function statementCount(id: string): Promise<string> {
  return (await section(id).getByTestId('statement-count').textContent()) ?? '';
}

/** Replaces the example's code (as shipped) the way a reader would: select all, type. */
async function edit(id: string, change: (code: string) => string): Promise<void> {
  const fileName = (await section(id).locator('.workbench-title code').textContent()) ?? '';
  const code = readFileSync(join(here, '..', 'src', 'examples', fileName), 'utf8').trimEnd();
  const edited = change(code);
  assert.notEqual(edited, code, 'the edit changes the code');
  const content = section(id).locator('.cm-content');
  await content.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(edited);
}

/** Waits for the type check that follows an edit to show `status`. */
async function checked(id: string, status: string): Promise<void> {
  await page.waitForFunction(
    ([sel, text]) => document.querySelector(`${sel} [data-testid="check-status"]`)?.textContent === text,
    [`section[data-section="${id}"]`, status] as const,
    { timeout: 30_000 },
  );
}

/** The whole section, with the page as tall as its content so nothing is cut or covered by the header. */
async function screenshot(id: string, name = id): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: WIDTH, height: Math.min(height, 16_000) });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const box = await section(id).boundingBox();
  assert.ok(box, `section ${id} is on the page`);
  const scrollY = await page.evaluate(() => window.scrollY);
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}.png`),
    clip: { x: box.x - 12, y: box.y + scrollY - 12, width: box.width + 24, height: box.height + 24 },
  });
}

before(async () => {
  assert.ok(existsSync(join(DIST, 'index.html')), 'playground/dist is built (npm run playground:build)');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (apt-get install -y chromium)`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  server = await serveStatic(DIST);
  profile = mkdtempSync(join(tmpdir(), 'relata-playground-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: WIDTH, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(server.url);
  // Every section runs once on load.
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 90_000 });
});

after(async () => {
  await context?.close();
  await server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('Relata playground', () => {
  test('loads SQLite (WebAssembly) and TypeScript, and every example type-checks', async () => {
    assert.match((await page.getByTestId('sqlite-status').textContent()) ?? '', /^SQLite 3\.\d+\.\d+/);
    assert.match((await page.getByTestId('ts-status').textContent()) ?? '', /^TypeScript 5\./);
    for (const id of ['one-to-many', 'many-to-many', 'one-to-one', 'loading', 'joins']) {
      assert.equal(await section(id).getByTestId('check-status').textContent(), '✓ types check', id);
    }
  });

  test('One-to-Many: user.posts and post.author, 8 statements', async () => {
    assert.equal(await clickAndWait('one-to-many', 'run'), 'done');
    const out = await printed('one-to-many');
    assert.deepEqual(rowsOf(out, 'user.posts'), [
      ['1', 'Hello', 'First post', '1'],
      ['2', 'Relationships', 'Second post', '1'],
    ]);
    assert.deepEqual(rowsOf(out, 'post.author'), [['1', 'alice']]);
    assert.equal(await statementCount('one-to-many'), '8 statements');
    // The SQL panel lists them in order, with their parameters.
    const sql = section('one-to-many').locator('.sql-panel');
    assert.equal(await sql.locator('li.stmt[data-n]').count(), 8);
    assert.match(
      (await sql.locator('li.stmt[data-n="5"]').textContent()) ?? '',
      /INSERT INTO "post".*\['Hello', 'First post', 1, 'Relationships', 'Second post', 1\]/s,
    );
    await screenshot('one-to-many');
  });

  test('Many-to-Many: post.tags, tag.posts, and removing a tag, 15 statements', async () => {
    assert.equal(await clickAndWait('many-to-many', 'run'), 'done');
    const out = await printed('many-to-many');
    assert.deepEqual(rowsOf(out, 'post.tags'), [
      ['1', 'typescript'],
      ['2', 'orm'],
    ]);
    assert.deepEqual(rowsOf(out, 'tag.posts'), [['1'], ['2']]);
    assert.deepEqual(rowsOf(out, "post.tags after removing 'orm'"), [['1', 'typescript']]);
    assert.equal(await statementCount('many-to-many'), '15 statements');
    assert.match((await section('many-to-many').locator('.sql-panel').textContent()) ?? '', /DELETE FROM "post_tags"/);
    await screenshot('many-to-many');
  });

  test('One-to-One: user.profile is one object; replacing it clears the old key, 11 statements', async () => {
    assert.equal(await clickAndWait('one-to-one', 'run'), 'done');
    const out = await printed('one-to-one');
    assert.deepEqual(rowsOf(out, 'user.profile'), [['1', 'Writes about ORMs', '1']]);
    assert.deepEqual(rowsOf(out, 'profile.user'), [['1']]);
    assert.ok(out.some((p) => p.text === "old profile's user_id after replacing null"));
    assert.deepEqual(rowsOf(out, 'user.profile now'), [['2', 'Rewritten bio', '1']]);
    assert.equal(await statementCount('one-to-one'), '11 statements');
    await screenshot('one-to-one');
  });

  test('Eager vs Lazy: lazy 5 statements beside joinedload 1 and selectinload 2, same rows, N+1 reported', async () => {
    assert.equal(await clickAndWait('loading', 'run'), 'done');
    const measures = await section('loading').locator('.measure .m-count').allTextContents();
    assert.deepEqual(measures, ['lazy: 5 statements', 'joinedload: 1 statement', 'selectinload: 2 statements']);
    assert.equal(await statementCount('loading'), '19 statements');
    const out = await printed('loading');
    const lines = out.map((p) => p.text).filter((t) => /^\w+: \[/.test(t));
    const expected = [
      "alice: ['Hello world', 'Joins, explained']",
      "bob: ['Bob's first']",
      "carol: ['Old news']",
      'dave: []',
    ];
    assert.deepEqual(lines, [...expected, ...expected], 'lazy and joinedload print the same rows');
    assert.deepEqual(rowsOf(out, 'titles'), [
      ['alice', "['Hello world', 'Joins, explained']"],
      ['bob', "['Bob's first']"],
      ['carol', "['Old news']"],
      ['dave', '[]'],
    ]);
    const warning = (await section('loading').locator('.out-warn').textContent()) ?? '';
    assert.match(
      warning,
      /N\+1 query: User\.posts was lazily loaded .* at line 11\. Load them together: \.options\(selectinload\(User\.posts\)\)/,
    );
    await screenshot('loading');
  });

  test('Joining Queries: posts by active users, users who have posted, 15 statements', async () => {
    assert.equal(await clickAndWait('joins', 'run'), 'done');
    const out = await printed('joins');
    assert.deepEqual(
      rowsOf(out, 'active_posts').map((r) => r[1]),
      ['Hello world', 'Joins, explained', "Bob's first"],
    );
    assert.deepEqual(
      rowsOf(out, 'users_with_posts').map((r) => r[1]),
      ['alice', 'bob', 'carol'],
    );
    assert.deepEqual(
      rowsOf(out, 'users with a post about news').map((r) => r[1]),
      ['carol'],
    );
    assert.ok(out.some((p) => p.text === 'posts whose author is active 3'));
    assert.equal(await statementCount('joins'), '15 statements');
    await screenshot('joins');
  });

  test('a bad edit shows its type error; run anyway, it shows the run error', async () => {
    await edit('loading', (code) => code.replace('.options(db.joinedload(User.posts))', ''));
    assert.equal(await clickAndWait('loading', 'run'), 'type-error');
    const errors = section('loading').getByTestId('type-errors');
    // `user.posts` is Related<Post[]> until a loader option says it is loaded: no .map on it.
    assert.match(
      (await errors.textContent()) ?? '',
      /^2 type errors.*19:49TS2339Property 'map' does not exist on type 'Related<Post\[\]>'/s,
    );
    assert.match((await section('loading').getByTestId('check-status').textContent()) ?? '', /✗ 2 type errors/);
    assert.equal(await section('loading').locator('.cm-lintRange-error').count(), 2, 'the editor underlines them');
    await screenshot('loading', 'type-error');

    assert.equal(await clickAndWait('loading', 'run-anyway'), 'error');
    const failure = (await section('loading').getByTestId('run-error').textContent()) ?? '';
    assert.match(failure, /NotLoadedError/);
    assert.match(failure, /User\.posts/);
    assert.match(failure, /line 19/);

    assert.equal(await clickAndWait('loading', 'reset'), 'done', 'Reset brings the example back');
    assert.deepEqual(await section('loading').locator('.measure .m-count').allTextContents(), [
      'lazy: 5 statements',
      'joinedload: 1 statement',
      'selectinload: 2 statements',
    ]);
  });

  test('a throwing edit shows its error, the statements before it, and the page keeps working', async () => {
    await edit('one-to-many', (code) =>
      code.replace(
        'db.session.add(alice);',
        "db.session.add(alice);\ndb.session.add(new User({ username: 'alice' }));",
      ),
    );
    await checked('one-to-many', '✓ types check');
    assert.equal(await clickAndWait('one-to-many', 'run'), 'error');
    const failure = (await section('one-to-many').getByTestId('run-error').textContent()) ?? '';
    assert.match(failure, /IntegrityError/);
    assert.match(failure, /UNIQUE constraint failed: user\.username/);
    assert.match(failure, /INSERT INTO "user"/, 'names the failed statement');
    assert.match(failure, /line 25/, 'at the commit that flushed it');
    assert.equal(await section('one-to-many').locator('.cm-lintRange-error').count(), 1, 'the editor marks that line');
    // A statement that fails is still a statement (issue 11): createAll's read of the existing tables
    // (issue 13: it warns about a table it skips), the two CREATE TABLEs, and the INSERT.
    assert.equal(
      await statementCount('one-to-many'),
      '4 statements',
      'the catalog read and the CREATE TABLEs ran before it, then the INSERT',
    );
    assert.match(
      (await section('one-to-many').locator('.stmt-failed').textContent()) ?? '',
      /failed: .*UNIQUE constraint failed: user\.username/,
      'the failed INSERT is listed as failed',
    );
    await screenshot('one-to-many', 'run-error');

    assert.equal(await clickAndWait('one-to-many', 'reset'), 'done');
    assert.equal(await statementCount('one-to-many'), '8 statements');
    assert.equal(await clickAndWait('joins', 'run'), 'done', 'other sections still run');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
