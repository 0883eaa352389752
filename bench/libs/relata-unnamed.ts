/**
 * Relata with PostgreSQL statement names off (`?prepared_statement_cache_size=0`): every statement
 * is sent unnamed (Parse/Bind/Execute each time), as behind a transaction-mode pooler. For
 * bench/compare.ts only (`relata relata-unnamed`), to measure what named statements buy on a direct
 * connection; the same as relata.ts on SQLite.
 */
import type { Adapter, AdapterContext } from '../workloads.js';
import { open as openRelata } from './relata.js';

export async function open(ctx: AdapterContext): Promise<Adapter> {
  if (ctx.db !== 'postgres') return openRelata(ctx);
  const sep = ctx.target.includes('?') ? '&' : '?';
  const adapter = await openRelata({ ...ctx, target: `${ctx.target}${sep}prepared_statement_cache_size=0` });
  return { ...adapter, name: 'relata-unnamed' };
}
