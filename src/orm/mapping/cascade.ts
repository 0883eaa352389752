/**
 * A relationship's `cascade` option: the names Relata knows and how a spec ('all, delete-orphan')
 * reads as a set. Its own module because the option checks (option-tables.ts) and the relationship
 * both need the names, and the session's cascade rules grow here, not in RelationshipProperty.
 */
import { MappingError } from '../errors.js';

const CASCADE_ALL = ['save-update', 'merge', 'delete', 'refresh-expire', 'expunge'];
export const CASCADE_KNOWN = new Set([...CASCADE_ALL, 'all', 'delete-orphan']);

/** The cascades a spec names ('save-update, merge' when none is given); `where` names the relationship. */
export function parseCascade(spec: string | undefined, where: string): Set<string> {
  const parts = (spec ?? 'save-update, merge')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const out = new Set<string>();
  for (const p of parts) {
    if (!CASCADE_KNOWN.has(p))
      throw new MappingError(`relationship ${where}: unknown cascade '${p}' (known: ${[...CASCADE_KNOWN].join(', ')})`);
    if (p === 'all') CASCADE_ALL.forEach((c) => out.add(c));
    else out.add(p);
  }
  return out;
}
