// Modules that @example blocks import but that are not installed in this repository: declared here with
// the part of their types the examples use, so that the examples still type-check against Relata.
declare module '@sqlite.org/sqlite-wasm' {
  /** The official SQLite WebAssembly build's initialiser (the playground installs the real package). */
  export default function sqlite3InitModule(): Promise<import('relata').Sqlite3Module>;
}
