/**
 * Generates the Prisma clients (one per database) from models.prisma.txt, offline: `prisma generate`
 * needs no engine with driver adapters, so PRISMA_SCHEMA_ENGINE_BINARY points at /bin/false. The
 * tables themselves come from bench/data.ts's SQL (`prisma db push` cannot run offline).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const models = join(here, 'models.prisma.txt');
const cli = join(here, '../node_modules/prisma/build/index.js');

for (const [db, provider] of [
  ['sqlite', 'sqlite'],
  ['postgres', 'postgresql'],
] as const) {
  const out = join(here, 'generated', db);
  const schema = join(here, 'generated', `${db}.prisma`);
  const marker = join(out, 'client.ts');
  if (existsSync(marker) && statSync(marker).mtimeMs > statSync(models).mtimeMs) continue;
  mkdirSync(dirname(schema), { recursive: true });
  const header = `generator client {\n  provider = "prisma-client"\n  output   = "./${db}"\n}\n\ndatasource db {\n  provider = "${provider}"\n}\n\n`;
  writeFileSync(schema, header + readFileSync(models, 'utf8'));
  console.log(`prisma generate (${db})…`);
  execFileSync(process.execPath, [cli, 'generate', '--schema', schema], {
    cwd: here,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
  });
}
