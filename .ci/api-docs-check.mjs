#!/usr/bin/env node
/* global process, console, performance */
// `npm run docs:api:check`: the API reference cannot miss a doc comment, and its examples cannot drift.
//
// The rule (docs/api-reference.md says it for contributors):
// - every export of src/index.ts, and every public member of an exported class or interface (method,
//   property, accessor; not constructors, not members marked @internal, @private or `private`), has a
//   doc comment: TypeDoc's `validation.notDocumented`, its warnings treated as errors;
// - every top-level export has an `@example`;
// - every `@example` type-checks: each is written to .ci/api-docs/examples/<export>.ts, importing
//   'relata' from src/ (and, for the names it does not declare itself, the blog models of
//   .ci/api-docs/blog.ts), and the lot goes through one `tsc --noEmit`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, ReflectionKind, TSConfigReader, TypeDocReader } from 'typedoc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, '.ci/api-docs/examples');
const started = performance.now();
const failures = [];

const app = await Application.bootstrapWithPlugins(
  { treatValidationWarningsAsErrors: true, emit: 'none', skipErrorChecking: true },
  [new TypeDocReader(), new TSConfigReader()],
);
const project = await app.convert();
if (!project) {
  console.error('api-docs-check: TypeDoc could not convert src/index.ts');
  process.exit(1);
}
// Validation reports as warnings (treatValidationWarningsAsErrors only changes the CLI's exit code):
// any warning or error, converting or validating, is a failure.
app.validate(project);
const typedocSeconds = ((performance.now() - started) / 1000).toFixed(1);
const problems = app.logger.warningCount + app.logger.errorCount;
if (problems) failures.push(`TypeDoc: ${problems} warnings and errors (listed above)`);

/** The comment of a reflection, or of its first signature (functions, methods). */
function commentOf(reflection) {
  return (
    reflection.comment ??
    reflection.signatures?.find((s) => s.comment)?.comment ??
    reflection.type?.declaration?.signatures?.[0]?.comment
  );
}

/** The code of an `@example`: its fenced blocks, or the whole text when it has none. */
function exampleCode(tag) {
  const text = tag.content.map((part) => part.text).join('');
  const fenced = [...text.matchAll(/```(?:ts|typescript)?[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  return fenced.length ? fenced.join('\n') : text;
}

const examples = [];
function collect(reflection, path) {
  const comment = commentOf(reflection);
  const tags = comment?.blockTags.filter((t) => t.tag === '@example') ?? [];
  tags.forEach((tag, i) =>
    examples.push({ name: `${path}${tags.length > 1 ? `-${i + 1}` : ''}`, code: exampleCode(tag) }),
  );
  return tags.length;
}

const topLevel = project.children ?? [];
for (const reflection of topLevel) {
  if (!collect(reflection, reflection.name)) {
    failures.push(`${reflection.name} (${ReflectionKind[reflection.kind]}): no @example in its doc comment`);
  }
  for (const member of reflection.children ?? []) collect(member, `${reflection.name}.${member.name}`);
}

const fixtureNames = ['db', 'session', 'User', 'Post', 'Tag', 'Profile', 'Account', 'post_tags', 'user', 'post', 'tag'];
function declares(code, name) {
  const decl = new RegExp(
    `\\b(?:const|let|var|class|function)\\s+${name}\\b|\\[[^\\]=]*\\b${name}\\b[^\\]=]*\\]\\s*=|import[^;]*\\b${name}\\b[^;]*from`,
  );
  return decl.test(code);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const [i, { name, code }] of examples.entries()) {
  const used = fixtureNames.filter((n) => new RegExp(`\\b${n}\\b`).test(code) && !declares(code, n));
  const head = used.length ? `import { ${used.join(', ')} } from '../blog.js';\n` : '';
  writeFileSync(
    join(outDir, `${String(i).padStart(3, '0')}-${name.replace(/[^\w.-]/g, '_')}.ts`),
    `${head}${code}\nexport {};\n`,
  );
}
writeFileSync(
  join(outDir, 'tsconfig.json'),
  JSON.stringify({
    extends: '../../../tsconfig.json',
    compilerOptions: { noEmit: true, noUnusedLocals: false, paths: { relata: ['../../../src/index.ts'] } },
    include: ['*.ts', '../blog.ts', '../ambient.d.ts'],
  }),
);
try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(outDir, 'tsconfig.json')], { stdio: 'pipe' });
} catch (error) {
  console.error(String(error.stdout).replaceAll(`${outDir}/`, '.ci/api-docs/examples/'));
  failures.push('some @example blocks do not type-check (listed above)');
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const summary = `${topLevel.length} exports, ${examples.length} examples, ${seconds}s: TypeDoc ${typedocSeconds}s, tsc the rest`;
if (failures.length) {
  for (const f of failures) console.error(`api-docs-check: ${f}`);
  console.error(`api-docs-check: FAILED (${summary})`);
  process.exit(1);
}
console.log(`api-docs-check: every export documented, every example compiles (${summary})`);
