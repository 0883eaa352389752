/** The code box: CodeMirror with TypeScript highlighting, type errors underlined, Ctrl/Cmd+Enter to run. */
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import type { Diagnostic } from '../checker/protocol.js';

const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.modifier, t.controlKeyword, t.operatorKeyword], color: '#7c3aed' },
  { tag: [t.string, t.special(t.string)], color: '#0f766e' },
  { tag: [t.number, t.bool, t.null], color: '#b45309' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: '#8a8f98', fontStyle: 'italic' },
  { tag: [t.typeName, t.className], color: '#2563eb' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: '#1d4ed8' },
  { tag: t.propertyName, color: '#334155' },
  { tag: t.definition(t.variableName), color: '#0f172a', fontWeight: '600' },
]);

const theme = EditorView.theme({
  '&': { fontSize: '13.5px', backgroundColor: '#fbfcfe' },
  '.cm-content': { fontFamily: 'var(--mono)', padding: '10px 0' },
  '.cm-gutters': { backgroundColor: '#f3f5f9', color: '#9aa3b2', border: 'none', borderRight: '1px solid #e3e7ee' },
  '.cm-activeLine': { backgroundColor: '#f1f4fb' },
  '.cm-activeLineGutter': { backgroundColor: '#e9eef8' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { lineHeight: '1.55' },
});

export interface CodeEditor {
  readonly view: EditorView;
  getCode(): string;
  setCode(code: string): void;
  /** Underlines type errors, and the line a run failed at (with the error's message). */
  showDiagnostics(diagnostics: readonly Diagnostic[], runError?: { line: number; message: string }): void;
}

export function createEditor(parent: HTMLElement, code: string, on: { run(): void; change(): void }): CodeEditor {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        Prec.highest(
          keymap.of([
            {
              key: 'Mod-Enter',
              run: () => {
                on.run();
                return true;
              },
            },
          ]),
        ),
        basicSetup,
        javascript({ typescript: true }),
        syntaxHighlighting(highlight),
        lintGutter(),
        theme,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) on.change();
        }),
      ],
    }),
  });
  return {
    view,
    getCode: () => view.state.doc.toString(),
    setCode: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    showDiagnostics(diagnostics, runError) {
      const length = view.state.doc.length;
      const marks: CmDiagnostic[] = diagnostics.map((d) => ({
        from: Math.min(d.from, length),
        to: Math.min(Math.max(d.to, d.from + 1), length),
        severity: 'error',
        message: d.message,
        source: `TS${d.code}`,
      }));
      if (runError && runError.line <= view.state.doc.lines) {
        const line = view.state.doc.line(runError.line);
        const from = line.from + (line.text.length - line.text.trimStart().length);
        marks.push({
          from,
          to: Math.max(line.to, from + 1),
          severity: 'error',
          message: runError.message,
          source: 'run',
        });
      }
      view.dispatch(setDiagnostics(view.state, marks));
    },
  };
}
