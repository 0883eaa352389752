/** Schema objects as plain data, for tests to compare. */

/** A type as comparable data: its name and parameters. */
export function typeOf(type: unknown): Record<string, unknown> {
  const t = type as {
    typeName: string;
    length?: number;
    precision?: number;
    scale?: number;
    sqlText?: string;
    values?: readonly string[];
    name?: string;
    item?: unknown;
  };
  const isEnum = t.typeName === 'Enum';
  return Object.fromEntries(
    Object.entries({
      name: t.typeName,
      // An Enum's length is its longest label: its values say it.
      length: isEnum ? undefined : t.length,
      precision: t.precision,
      scale: t.scale,
      sqlText: t.sqlText,
      values: isEnum ? t.values : undefined,
      enumName: isEnum ? t.name : undefined,
      item: t.item === undefined ? undefined : typeOf(t.item),
    }).filter(([, v]) => v !== undefined),
  );
}
