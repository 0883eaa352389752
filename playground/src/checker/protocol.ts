/** Messages between the page and the TypeScript worker. */

export interface CheckRequest {
  readonly id: number;
  /** e.g. 'one-to-many.ts': the example's file, beside blog.ts and globals.d.ts. */
  readonly fileName: string;
  readonly code: string;
}

export interface Diagnostic {
  /** Offsets in the code, for the editor's underline. */
  readonly from: number;
  readonly to: number;
  /** 1-based, for the list under the editor. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** TypeScript's error number (TS2339 …). */
  readonly code: number;
}

export interface CheckResult {
  readonly id: number;
  readonly diagnostics: readonly Diagnostic[];
  /** The code as JavaScript (CommonJS, so the runner can hand it its imports). */
  readonly js: string;
  /** For each line of `js` (0-based index), the 1-based line of the TypeScript it came from, or 0. */
  readonly lineMap: readonly number[];
}

export type CheckerMessage =
  | { readonly type: 'ready'; readonly version: string }
  | { readonly type: 'checked'; readonly result: CheckResult };
