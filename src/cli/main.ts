#!/usr/bin/env node
/**
 * The `relata` executable (package.json `bin`): runs the command line and exits with its code.
 */
import { createInterface } from 'node:readline/promises';
import { run } from './run.js';

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

run(process.argv.slice(2), {
  cwd: process.cwd(),
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  ask: process.stdin.isTTY && process.stdout.isTTY ? ask : undefined,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
