/**
 * TypeScript in a worker: type-checks an example against Relata's own sources (the same types a
 * user of the package gets) and transpiles it for the runner. The files sit in a small in-memory
 * file system laid out like the repository, so imports resolve as they do for `tsc`.
 */
import ts from 'typescript';
import globalsSource from '../examples/globals.d.ts?raw';
import blogReexport from '../examples/blog.ts?raw';
import type { CheckRequest, CheckResult, CheckerMessage, Diagnostic } from './protocol.js';

const EXAMPLES = '/playground/src/examples/';

const files = new Map<string, string>();
function addAll(sources: Record<string, string>, toPath: (key: string) => string): void {
  for (const [key, text] of Object.entries(sources)) files.set(toPath(key), text);
}
// Keys are relative to this file (playground/src/checker/): '../../../' is the repository root.
addAll(import.meta.glob<string>('../../../src/**/*.ts', { query: '?raw', import: 'default', eager: true }), (k) =>
  k.replace(/^(\.\.\/)+/, '/'),
);
addAll(
  import.meta.glob<string>('../../../examples/seed/blog.ts', { query: '?raw', import: 'default', eager: true }),
  (k) => k.replace(/^(\.\.\/)+/, '/'),
);
addAll(
  import.meta.glob<string>('../../node_modules/typescript/lib/lib.{es5,es20*,decorators*}.d.ts', {
    query: '?raw',
    import: 'default',
    eager: true,
    exhaustive: true,
  }),
  (k) => `/lib/${k.slice(k.lastIndexOf('/') + 1)}`,
);
files.set(`${EXAMPLES}globals.d.ts`, globalsSource);
files.set(`${EXAMPLES}blog.ts`, blogReexport);

const directories = new Set<string>();
for (const path of files.keys()) {
  for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) directories.add(path.slice(0, i));
}

/** The project's own strictness (tsconfig.json), for code that runs as an ES module with top-level await. */
const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ['lib.es2023.d.ts'],
  types: [],
  strict: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  skipLibCheck: true,
  noEmit: true,
  paths: { relata: ['/src/index.ts'] },
};

let current = { fileName: `${EXAMPLES}example.ts`, code: '', version: 0 };

const host: ts.LanguageServiceHost = {
  getScriptFileNames: () => [current.fileName, `${EXAMPLES}globals.d.ts`],
  getScriptVersion: (f) => (f === current.fileName ? String(current.version) : '1'),
  getScriptSnapshot: (f) => {
    const text = f === current.fileName ? current.code : files.get(f);
    return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
  },
  getCurrentDirectory: () => EXAMPLES,
  getCompilationSettings: () => options,
  getDefaultLibFileName: (o) => `/lib/${ts.getDefaultLibFileName(o)}`,
  fileExists: (f) => f === current.fileName || files.has(f),
  readFile: (f) => (f === current.fileName ? current.code : files.get(f)),
  directoryExists: (d) => directories.has(d.replace(/\/$/, '')),
  getDirectories: () => [],
};
const service = ts.createLanguageService(host, ts.createDocumentRegistry());

function toDiagnostic(d: ts.Diagnostic, file: ts.SourceFile): Diagnostic {
  const from = d.start ?? 0;
  const { line, character } = file.getLineAndCharacterOfPosition(from);
  return {
    from,
    to: from + (d.length ?? 0),
    line: line + 1,
    column: character + 1,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    code: d.code,
  };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The source line of each generated line, from a source map's VLQ mappings. */
function lineMapOf(mappings: string): number[] {
  const out: number[] = [];
  let sourceLine = 0;
  for (const line of mappings.split(';')) {
    let first = 0;
    for (const segment of line ? line.split(',') : []) {
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >> 1) : value >> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length >= 4) {
        sourceLine += fields[2]!;
        first ||= sourceLine + 1;
      }
    }
    out.push(first);
  }
  return out;
}

function check(req: CheckRequest): CheckResult {
  current = { fileName: `${EXAMPLES}${req.fileName}`, code: req.code, version: current.version + 1 };
  const program = service.getProgram()!;
  const file = program.getSourceFile(current.fileName)!;
  const found = [
    ...service.getSyntacticDiagnostics(current.fileName),
    ...service.getSemanticDiagnostics(current.fileName),
  ];
  const out = ts.transpileModule(req.code, {
    fileName: req.fileName,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, sourceMap: true },
  });
  const mappings = out.sourceMapText ? (JSON.parse(out.sourceMapText) as { mappings: string }).mappings : '';
  const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return { id: req.id, diagnostics: found.map((d) => toDiagnostic(d, file)), js, lineMap: lineMapOf(mappings) };
}

const post = (message: CheckerMessage) => self.postMessage(message);

self.addEventListener('message', (event: MessageEvent<CheckRequest>) => {
  post({ type: 'checked', result: check(event.data) });
});
post({ type: 'ready', version: ts.version });
