/** What `echo` prints for a statement's parameters: SQL literals, one line, bounded. */
import { describe, expect, it } from 'vitest';
import { formatParams } from '../../src/engine/format-params.js';

describe('formatParams', () => {
  it('doubles a quote inside a string, as SQL does', () => {
    expect(formatParams(["Bob's first", 'plain'])).toBe("['Bob''s first', 'plain']");
  });

  it('shows NULL, numbers, bigints and booleans as literals', () => {
    expect(formatParams([null, undefined, 3, 1.5, 2n ** 63n - 1n, true])).toBe(
      '[NULL, NULL, 3, 1.5, 9223372036854775807, true]',
    );
  });

  it('keeps a line break inside a string on one log line, escaped E-string style', () => {
    expect(formatParams(['a\nb', "it's\t\\"])).toBe("[E'a\\nb', E'it''s\\t\\\\']");
  });

  it('cuts a long string by code points, never splitting a surrogate pair', () => {
    const shown = formatParams(['😀'.repeat(100)]);
    expect(shown).toBe(`['${'😀'.repeat(57)}...']`);
  });

  it('shows bytes as a hex literal, cut after 16 bytes with the full length', () => {
    expect(formatParams([Uint8Array.of(0, 255)])).toBe("[X'00ff']");
    expect(formatParams([new Uint8Array(40)])).toBe(`[X'${'00'.repeat(16)}...' (40 bytes)]`);
  });
});
