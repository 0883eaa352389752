// Type-checks every ```ts / ```typescript block of README.md and docs/**/*.md (not docs/api/, which
// TypeDoc generates), so the docs cannot drift from the API.
//
// Each block becomes a module of its own, or a chain of blocks does: a block preceded by the line
// `<!-- docs-check: continue -->` continues the previous block of the same file (same scope). A block
// preceded by `<!-- docs-check: skip (reason) -->` is not checked; the reason is mandatory. 'relata'
// resolves to src/index.ts. A block may import the shared blog models with
// `import { db, User, Post, Tag, Profile } from './models.js'`: they are the models of
// docs/getting-started.md, written out in .ci/docs-models.ts; nothing is imported behind a block's back,
// so an undefined name in a block is an error, as it would be for a reader pasting it.
//
// All modules are checked by one TypeScript program; errors are reported as file:line of the markdown.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `tsx .ci/docs-check.ts <dir>` checks the markdown of another directory (its README.md and docs/), as
// test/docs-check.test.ts does; the modules still resolve 'relata' and packages from this repository.
const docsRoot = process.argv[2] ?? root;
const outDir = process.argv[2] ? join(root, `.docs-check-${process.pid}`) : join(root, '.docs-check');

interface Block {
  readonly file: string; // relative to the repository
  readonly line: number; // 1-based line of the block's first code line
  readonly code: string[];
}

interface Chain {
  readonly blocks: Block[];
}

interface Problem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/;
const SKIP = /^<!--\s*docs-check:\s*skip\s*(?:\((.*)\))?\s*-->$/;
const CONTINUE = /^<!--\s*docs-check:\s*continue\s*-->$/;
const ANY_MARKER = /^<!--\s*docs-check:/;
const CHECKED = new Set(['ts', 'typescript']);

function markdownFiles(): string[] {
  const files = existsSync(join(docsRoot, 'README.md')) ? ['README.md'] : [];
  const walk = (dir: string): void => {
    if (!existsSync(join(docsRoot, dir))) return;
    for (const entry of readdirSync(join(docsRoot, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join('docs', 'api')) walk(path);
      } else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files;
}

/** Splits one markdown file into chains of checked blocks, reporting misused markers. */
function chainsOf(file: string, problems: Problem[]): Chain[] {
  const lines = readFileSync(join(docsRoot, file), 'utf8').split('\n');
  const chains: Chain[] = [];
  let marker: { kind: 'skip' | 'continue'; line: number } | undefined;
  let previous: 'checked' | 'skipped' | 'none' = 'none';
  for (let i = 0; i < lines.length; i++) {
    const text = (lines[i] ?? '').trim();
    const fence = FENCE.exec(lines[i] ?? '');
    if (ANY_MARKER.test(text)) {
      if (marker) problems.push({ file, line: marker.line, message: 'docs-check marker not followed by a code block' });
      const skip = SKIP.exec(text);
      if (skip) {
        if (!skip[1]?.trim())
          problems.push({ file, line: i + 1, message: 'docs-check: skip needs a reason: skip (why)' });
        marker = { kind: 'skip', line: i + 1 };
      } else if (CONTINUE.test(text)) {
        marker = { kind: 'continue', line: i + 1 };
      } else {
        problems.push({ file, line: i + 1, message: `unknown docs-check marker: ${text}` });
      }
      continue;
    }
    if (!fence) {
      if (text && marker) {
        problems.push({ file, line: marker.line, message: 'docs-check marker must be the line before a code block' });
        marker = undefined;
      }
      continue;
    }
    const [, indent = '', ticks = '```', lang = ''] = fence;
    const start = i;
    const code: string[] = [];
    for (i++; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line.trim().startsWith(ticks) && line.trim().replace(/[`~]/g, '') === '') break;
      code.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    const checked = CHECKED.has(lang.toLowerCase());
    if (marker && !checked) {
      problems.push({
        file,
        line: marker.line,
        message: `docs-check marker before a \`\`\`${lang || '(plain)'} block`,
      });
    } else if (marker?.kind === 'skip') {
      previous = 'skipped';
    } else if (marker?.kind === 'continue') {
      const last = chains.at(-1);
      if (previous !== 'checked' || !last) {
        problems.push({ file, line: marker.line, message: 'docs-check: continue has no checked block before it' });
      } else {
        last.blocks.push({ file, line: start + 2, code });
      }
    } else if (checked) {
      chains.push({ blocks: [{ file, line: start + 2, code }] });
      previous = 'checked';
    }
    marker = undefined;
  }
  if (marker) problems.push({ file, line: marker.line, message: 'docs-check marker not followed by a code block' });
  return chains;
}

/** Where a line of a generated module came from. */
interface Origin {
  readonly file: string;
  readonly line: number;
}

function writeModules(chains: Chain[]): Map<string, Origin[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  // Lets a block be run as written: npx tsx --tsconfig .docs-check/tsconfig.json .docs-check/<block>.ts
  const paths = {
    baseUrl: relative(outDir, root) || '.',
    paths: { relata: ['src/index.ts'] },
    module: 'NodeNext',
    target: 'ES2022',
  };
  writeFileSync(join(outDir, 'tsconfig.json'), JSON.stringify({ compilerOptions: paths }, null, 2) + '\n');
  copyFileSync(join(root, '.ci', 'docs-models.ts'), join(outDir, 'models.ts'));
  const origins = new Map<string, Origin[]>();
  for (const chain of chains) {
    const first = chain.blocks[0]!;
    const name = `${first.file.replace(/[/\\.]/g, '_')}_L${first.line}.ts`;
    const lines: string[] = [];
    const map: Origin[] = [];
    for (const block of chain.blocks) {
      block.code.forEach((code, k) => {
        lines.push(code);
        map.push({ file: block.file, line: block.line + k });
      });
    }
    // Every block is a module, so that top-level await works and blocks do not share names.
    lines.push('export {};');
    map.push({ file: first.file, line: first.line });
    const path = join(outDir, name);
    writeFileSync(path, lines.join('\n') + '\n');
    origins.set(path, map);
  }
  return origins;
}

function typeCheck(origins: Map<string, Origin[]>): Problem[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
    baseUrl: root,
    paths: { relata: ['src/index.ts'] },
  };
  const host = ts.createCompilerHost(options);
  const program = ts.createProgram([...origins.keys(), join(outDir, 'models.ts')], options, host);
  const problems: Problem[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const source = diagnostic.file;
    const map = source ? origins.get(source.fileName) : undefined;
    if (!source || diagnostic.start === undefined) {
      problems.push({ file: '(tsc)', line: 0, message });
      continue;
    }
    const { line, character } = source.getLineAndCharacterOfPosition(diagnostic.start);
    const origin = map?.[line];
    if (origin) {
      problems.push({
        file: origin.file,
        line: origin.line,
        message: `col ${character + 1}: TS${diagnostic.code} ${message}`,
      });
    } else {
      problems.push({
        file: relative(root, source.fileName),
        line: line + 1,
        message: `TS${diagnostic.code} ${message}`,
      });
    }
  }
  return problems;
}

function main(): void {
  const problems: Problem[] = [];
  const chains = markdownFiles().flatMap((file) => chainsOf(file, problems));
  const origins = writeModules(chains);
  problems.push(...typeCheck(origins));
  if (process.argv[2]) rmSync(outDir, { recursive: true, force: true });
  const blocks = chains.reduce((n, c) => n + c.blocks.length, 0);
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  for (const p of problems) console.error(`${p.file}:${p.line}: ${p.message}`);
  if (problems.length) {
    console.error(`docs-check: ${problems.length} problem(s) in ${blocks} code blocks (${chains.length} modules)`);
    process.exit(1);
  }
  console.log(`docs-check: ${blocks} code blocks (${chains.length} modules) compile`);
}

main();
