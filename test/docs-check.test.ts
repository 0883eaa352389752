/**
 * `npm run docs:check` (.ci/docs-check.ts) on a markdown fixture: a broken block is reported at its
 * markdown line, `continue` shares a scope, `skip` needs a reason, a misplaced marker is an error.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fence = '```';

const readme = [
  '# Fixture', //                                                   1
  '', //                                                            2
  `${fence}ts`, //                                                  3
  "import { Database } from 'relata';", //                          4
  'const db = new Database();', //                                  5
  `${fence}`, //                                                    6
  '', //                                                            7
  '<!-- docs-check: continue -->', //                               8
  '', //                                                            9
  `${fence}ts`, //                                                  10
  'const n: number = await db.countQueries(async () => {});', //   11: db from the block above
  'const wrong: string = n; // the error, at README.md:12', //     12
  `${fence}`, //                                                    13
  '', //                                                            14
  '<!-- docs-check: skip (not TypeScript at all) -->', //           15
  `${fence}ts`, //                                                  16
  'this is not code', //                                            17
  `${fence}`, //                                                    18
  '', //                                                            19
  `${fence}ts`, //                                                  20
  'console.log(db); // a new module: db is not defined here', //   21
  `${fence}`, //                                                    22
].join('\n');

const guide = [
  '<!-- docs-check: skip -->', //                                   1: no reason
  `${fence}ts`, //                                                  2
  'const x = 1;', //                                                3
  `${fence}`, //                                                    4
  '', //                                                            5
  '<!-- docs-check: continue -->', //                               6: the block before was skipped
  `${fence}ts`, //                                                  7
  'const y = 2;', //                                                8
  `${fence}`, //                                                    9
  '', //                                                            10
  '<!-- docs-check: continue -->', //                               11
  'Some prose instead of a block.', //                              12
  '', //                                                            13
  `${fence}sh`, //                                                  14: not checked
  'const z: string = 1', //                                         15
  `${fence}`, //                                                    16
].join('\n');

describe('npm run docs:check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'relata-docs-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each problem at its markdown line', { timeout: 60_000 }, async () => {
    mkdirSync(join(dir, 'docs', 'api'), { recursive: true });
    writeFileSync(join(dir, 'README.md'), readme);
    writeFileSync(join(dir, 'docs', 'guide.md'), guide);
    writeFileSync(join(dir, 'docs', 'api', 'generated.md'), `${fence}ts\nconst broken: string = 1;\n${fence}\n`);
    const failure = await run('npx', ['tsx', '.ci/docs-check.ts', dir]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    const lines = failure!.stderr.trim().split('\n');
    expect(lines.map((l) => l.replace(/: col \d+: (TS\d+).*/, ': $1').replace(/(\.md:\d+: [^:(]+).*/, '$1'))).toEqual([
      'docs/guide.md:1: docs-check',
      'docs/guide.md:6: docs-check',
      'docs/guide.md:11: docs-check marker must be the line before a code block',
      'README.md:12: TS2322',
      'README.md:21: TS2304',
      'docs-check: 5 problem(s) in 3 code blocks (2 modules)',
    ]);
    expect(lines[0]).toContain('skip needs a reason');
    expect(lines[1]).toContain('continue has no checked block before it');
  });
});
