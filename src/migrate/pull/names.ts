/**
 * Names for a pulled models module: database identifiers (`ArtistId`, `artist_id`, `invoice lines`)
 * turned into TypeScript ones (`artistId`, `InvoiceLine`), English plurals for collections, and the
 * collision rules that keep every name in one scope distinct. Modelled on sqlacodegen's and
 * SQLAlchemy automap's naming (`name_for_collection_relationship`), kept deliberately simple: a rule
 * only changes a word when the change is obvious.
 */

/** The words of an identifier: split at non-alphanumerics and at case changes (`HTTPStatusCode` → HTTP Status Code). */
export function wordsOf(identifier: string): string[] {
  return identifier
    .split(/[^\p{L}\p{N}]+/u)
    .flatMap((part) => part.split(/(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{N})(?=\p{Lu})/u))
    .filter((w) => w !== '');
}

const capitalize = (w: string) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();

/** A valid identifier for `text`: a leading digit (or nothing at all) gets an underscore. */
function identifier(text: string, fallback: string): string {
  if (text === '') return fallback;
  return /^\p{N}/u.test(text) ? `_${text}` : text;
}

/** `artist_id`, `ArtistId` → `artistId`. */
export function camelCase(name: string): string {
  const words = wordsOf(name);
  const text = words.map((w, i) => (i === 0 ? w.toLowerCase() : capitalize(w))).join('');
  return identifier(text, 'column');
}

/** `invoice_line`, `InvoiceLine` → `InvoiceLine`. */
export function pascalCase(name: string): string {
  return identifier(wordsOf(name).map(capitalize).join(''), 'Table');
}

/** Irregular plurals common in schemas, singular → plural. */
const IRREGULAR: ReadonlyMap<string, string> = new Map([
  ['person', 'people'],
  ['child', 'children'],
  ['man', 'men'],
  ['woman', 'women'],
]);
const IRREGULAR_SINGULAR: ReadonlyMap<string, string> = new Map([...IRREGULAR].map(([s, p]) => [p, s]));
/** Words that are the same in both numbers, or whose last `s` is no plural. */
const UNCOUNTED = new Set(['data', 'media', 'news', 'series', 'species', 'info', 'metadata', 'equipment', 'sheep']);

/** Applies `change` to the last word of a camel- or PascalCase name, keeping its capitalisation. */
function onLastWord(name: string, change: (word: string) => string): string {
  const m = /^(.*?)([A-Z]?[a-z0-9]*)$/.exec(name);
  const [head, last] = m && m[2] !== '' ? [m[1]!, m[2]!] : ['', name];
  const upper = /^[A-Z]/.test(last);
  const changed = change(last.toLowerCase());
  return head + (upper ? changed.charAt(0).toUpperCase() + changed.slice(1) : changed);
}

/** `Albums` → `Album`, `Categories` → `Category`, `Addresses` → `Address`; `Status`, `News` stay. */
export function singular(name: string): string {
  return onLastWord(name, (w) => {
    if (UNCOUNTED.has(w)) return w;
    const irregular = IRREGULAR_SINGULAR.get(w);
    if (irregular) return irregular;
    if (w.length > 4 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
    if (/(sses|shes|ches|xes|zzes)$/.test(w)) return w.slice(0, -2);
    if (w.length > 3 && w.endsWith('s') && !/(ss|us|is|os)$/.test(w)) return w.slice(0, -1);
    return w;
  });
}

/** `album` → `albums`, `category` → `categories`, `address` → `addresses`, `person` → `people`. */
export function plural(name: string): string {
  return onLastWord(name, (w) => {
    if (UNCOUNTED.has(w)) return w;
    const irregular = IRREGULAR.get(w);
    if (irregular) return irregular;
    if (/[^aeiou]y$/.test(w)) return `${w.slice(0, -1)}ies`;
    if (/(s|x|z|ch|sh)$/.test(w)) return `${w}es`;
    return `${w}s`;
  });
}

/** `artistId` → `artist`, `supportRepId` → `supportRep`; null when the column names no key (`reportsTo`). */
export function stripKeySuffix(attribute: string): string | null {
  const m = /^(.+?)(Id|ID|Fk|Key|Ref)$/.exec(attribute);
  return m ? m[1]! : null;
}

/**
 * Names a self-reference's two sides by the role its column says (Chinook's `ReportsTo`): the
 * many-to-one, then the collection. Other columns get `<name>` and `<name>Of` (`mentor`, `mentorOf`).
 */
const SELF_ROLES: ReadonlyMap<string, readonly [string, string]> = new Map([
  ['reportsTo', ['manager', 'reports']],
  ['reportTo', ['manager', 'reports']],
  ['manager', ['manager', 'reports']],
  ['managedBy', ['manager', 'reports']],
  ['supervisor', ['supervisor', 'reports']],
  ['parent', ['parent', 'children']],
  ['parentNode', ['parent', 'children']],
]);

/** The two names of a self-reference through the column whose attribute is `attribute`. */
export function selfReferenceNames(attribute: string, className: string): readonly [string, string] {
  const role = stripKeySuffix(attribute) ?? attribute;
  const known = SELF_ROLES.get(role);
  if (known) return known;
  const many = role === attribute ? `${attribute}${className}` : role;
  return [many, `${many}Of`];
}

/** Names TypeScript or Relata already give a meaning in the module or on a model class. */
export const RESERVED_MODULE_NAMES: ReadonlySet<string> = new Set([
  'db',
  'Database',
  'Object',
  'Array',
  'String',
  'Number',
  'Boolean',
  'Date',
  'Map',
  'Set',
  'Promise',
  'Error',
  'JSON',
  'Math',
  'Symbol',
  'Function',
  'RegExp',
  'Record',
  'Partial',
  'process',
]);
/** Members every model class or instance has: an attribute of the same name would hide or break them. */
export const RESERVED_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  'constructor',
  'prototype',
  '__proto__',
  'query',
  'modelName',
  '__table__',
  '__mapper__',
  'toJSON',
]);

/** Hands out distinct names in one scope: a taken or reserved name gets a number (`track2`). */
export class NameScope {
  private readonly taken = new Set<string>();
  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  /** Whether `name` is free. */
  isFree(name: string): boolean {
    return !this.taken.has(name) && !this.reserved.has(name);
  }

  /** `preferred` if free, else the first free of `alternatives`, else `preferred` with the first free number. */
  claim(preferred: string, ...alternatives: string[]): string {
    const name = [preferred, ...alternatives].find((n) => this.isFree(n)) ?? this.numbered(preferred);
    this.taken.add(name);
    return name;
  }

  private numbered(base: string): string {
    for (let i = 2; ; i++) if (this.isFree(`${base}${i}`)) return `${base}${i}`;
  }
}
