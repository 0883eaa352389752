/** What crosses between the page and the runner worker: plain data only. */

/** One value given to console.log, made printable in the worker. */
export type Printed =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'table';
      readonly title: string;
      readonly columns: readonly string[];
      readonly rows: readonly (readonly string[])[];
      /** Rows left out (the page shows at most MAX_TABLE_ROWS), shown as `… N more rows`. */
      readonly moreRows: number;
    }
  | { readonly kind: 'null'; readonly text: 'null' | 'undefined' };

export interface OutputEntry {
  readonly kind: 'log' | 'warn' | 'error';
  readonly values: readonly Printed[];
  /** How many SQL statements had run when this was printed. */
  readonly afterStatements: number;
  /** How many entries of the report's `statements` (transaction control included) came before it. */
  readonly afterEvents: number;
  /** The measure() it was printed in, if any. */
  readonly measure: string | null;
}

export interface StatementEntry {
  readonly kind: 'statement' | 'transaction';
  readonly sql: string;
  /** Each parameter as the page prints it ('alice' quoted, 1, null). */
  readonly params: readonly string[];
  readonly rowCount: number;
  /** The database's message, when the statement failed (it still counts as a statement). */
  readonly failed: string | null;
  readonly durationMs: number;
  /** The measure() it ran inside, if any. */
  readonly measure: string | null;
}

export interface MeasureEntry {
  readonly label: string;
  readonly count: number;
  /** Index (among statements of kind 'statement') of its first statement. */
  readonly firstStatement: number;
}

export interface RunError {
  readonly name: string;
  readonly message: string;
  /** Relata's stable error code, when the error has one. */
  readonly code: string | null;
  /** Line in the transpiled JavaScript, mapped to the editor by the page. */
  readonly jsLine: number | null;
  /** The statement that failed and its parameters, for database errors. */
  readonly sql: string | null;
  readonly params: readonly string[];
}

export interface RunReport {
  readonly output: readonly OutputEntry[];
  readonly statements: readonly StatementEntry[];
  readonly measures: readonly MeasureEntry[];
  readonly error: RunError | null;
  readonly durationMs: number;
}

export interface RunRequest {
  readonly id: number;
  readonly js: string;
  /** Names the code in stack traces (`//# sourceURL`). */
  readonly fileName: string;
}

export type RunnerMessage =
  | { readonly type: 'ready'; readonly sqliteVersion: string }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly report: RunReport };
