/**
 * The extension point every non-column, non-relationship declaration kind is built on (association
 * proxies, hybrids, column properties, composites): `db.Model` installs an AttributeDecl after the
 * columns and relationships, the class attribute reads through the user's class, the constructor
 * assigns it only when the kind accepts it, and its types reach the instance and the class.
 */
import { describe, expect, it } from 'vitest';
import { ArgumentError, Database } from '../../src/index.js';
import { AttributeDecl } from '../../src/orm/mapping/declarative.js';
import type { Mapper } from '../../src/orm/mapping/mapper.js';

/** A test kind: `initials` computed from the `name` column, settable (splits back into `name`). */
class InitialsDecl extends AttributeDecl<string, { readonly describe: string }, string> {
  installedAfter: string[] = [];
  install(mapper: Mapper, key: string): void {
    this.installedAfter = [...mapper.columnsByKey.keys(), ...mapper.relationships.keys()];
    mapper.attributes.set(key, { describe: `${mapper.name}.${key}` });
    Object.defineProperty(mapper.base.prototype, key, {
      get(this: { name: string | null }) {
        return (this.name ?? '')
          .split(' ')
          .map((w) => w[0])
          .join('');
      },
      set(this: { name: string | null }, v: string) {
        this.name = v.split('').join('. ') + '.';
      },
    });
  }
  override acceptsInit(): boolean {
    return true;
  }
}

class ReadOnlyDecl extends AttributeDecl<number, null> {
  install(mapper: Mapper, key: string): void {
    mapper.attributes.set(key, null as unknown as object);
    Object.defineProperty(mapper.base.prototype, key, { get: () => 42 });
  }
}

describe('AttributeDecl', () => {
  it('installs after columns and relationships, on the instance and the class', () => {
    const db = new Database();
    const initials = new InitialsDecl();
    class Person extends db.Model('Person', {
      id: db.Column(db.Integer, { primaryKey: true }),
      initials,
      name: db.Column(db.String(40)),
      answer: new ReadOnlyDecl(),
    }) {}
    expect(initials.installedAfter).toEqual(['id', 'name']);
    const ada = new Person({ name: 'Ada Lovelace' });
    const initialsValue: string = ada.initials;
    expect(initialsValue).toBe('AL');
    const answer: number = ada.answer;
    expect(answer).toBe(42);
    expect(Person.initials.describe).toBe('Person.initials');
    const given = new Person({ initials: 'GH' });
    expect(given.name).toBe('G. H.');
  });

  it('refuses a constructor value for a kind that does not accept one, naming the attribute', () => {
    const db = new Database();
    class Thing extends db.Model('Thing', {
      id: db.Column(db.Integer, { primaryKey: true }),
      answer: new ReadOnlyDecl(),
    }) {}
    // @ts-expect-error: the kind's Init is never, so the constructor does not take it
    expect(() => new Thing({ answer: 1 })).toThrow(ArgumentError);
    expect(() => new Thing({ answer: 1 } as object)).toThrow(/Thing\.answer cannot be given to the constructor/);
  });
});
