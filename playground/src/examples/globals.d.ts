/**
 * What the page gives every example: a fresh database, a console that prints to the page, and a
 * statement counter. (The in-browser type checker loads this file beside Relata's sources.)
 */
import type { Database } from 'relata';

declare global {
  /** A Relata Database on its own in-memory SQLite (compiled to WebAssembly), new for every run. */
  const db: Database;
  /** Prints to the output panel: model objects, and lists of them, as tables of rows. */
  const console: {
    log(...values: unknown[]): void;
    info(...values: unknown[]): void;
    warn(...values: unknown[]): void;
    error(...values: unknown[]): void;
    table(value: unknown): void;
  };
  /** Runs `fn`, counts the SQL statements it runs and shows the count beside the others of this run. */
  function measure<T>(label: string, fn: () => Promise<T>): Promise<T>;
  /** Relata reads it to time statements. */
  const performance: { now(): number };
}

export {};
