/**
 * Type tests: test/types/*.types.ts must compile under `tsc --strict`; each `@ts-expect-error`
 * there is a misuse that must not (tsc reports an unused directive if it compiles).
 */
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('type tests compile, and every marked misuse is a type error', () => {
  let output = '';
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/types/tsconfig.json'], {
      encoding: 'utf8',
    });
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? err);
  }
  expect(output).toBe('');
}, 120_000);
