/**
 * Options Relata does not implement are refused when declared, naming the model, attribute, option
 * and what to use instead; a wrong value type for a known option too. What `tsc` refuses, a
 * JavaScript caller (or a cast, as here) gets at run time.
 */
import { describe, expect, it } from 'vitest';
import {
  ArgumentError,
  CompileError,
  Database,
  Integer,
  MappingError,
  SqlType,
  Table,
  ForeignKey as CoreForeignKey,
} from '../../src/index.js';
import { Column as SchemaColumn } from '../../src/sql/schema.js';

/** Declares a User with `options` on its `posts` relationship and a Post to point at. */
function declareWithRelationship(options: Record<string, unknown>): () => void {
  const db = new Database();
  return () => {
    db.Model('User', {
      id: db.Column(db.Integer, { primaryKey: true }),
      posts: db.relationship<unknown>('Post', options as never),
    });
  };
}

function declareWithColumn(options: Record<string, unknown>): () => void {
  const db = new Database();
  return () => {
    db.Model('User', {
      id: db.Column(db.Integer, { primaryKey: true }),
      email: db.Column(db.String(80), options as never),
    });
  };
}

function declareWithModelOptions(options: Record<string, unknown>): () => void {
  const db = new Database();
  return () => {
    db.Model('User', { id: db.Column(db.Integer, { primaryKey: true }) }, options as never);
  };
}

describe('relationship options', () => {
  it.each([
    ['post_update', { post_update: true }, /spell it postUpdate: true/],
    ['collectionClass', { collectionClass: Set }, /always arrays/],
    ['secondaryjoin', { secondaryjoin: () => null }, /spell it secondaryJoin/],
  ])('refuses %s, naming the relationship and what to use instead', (option, options, instead) => {
    const declare = declareWithRelationship(options);
    expect(declare).toThrow(MappingError);
    expect(declare).toThrow(`relationship User.posts: option '${option}' is not supported by Relata`);
    expect(declare).toThrow(instead);
  });

  it("refuses lazy: 'dynamic' and points at lazy: 'writeOnly'", () => {
    const declare = declareWithRelationship({ lazy: 'dynamic' });
    expect(declare).toThrow(MappingError);
    expect(declare).toThrow(
      /relationship User\.posts: option lazy 'dynamic' is not supported: .*use lazy: 'writeOnly'/,
    );
  });

  it('refuses a misspelt option, suggesting the nearest known one', () => {
    expect(declareWithRelationship({ bakcref: 'author' })).toThrow(
      /relationship User\.posts: unknown option 'bakcref'; did you mean 'backref'\? \(options: backref, backPopulates,/,
    );
    expect(declareWithRelationship({ back_populates: 'author' })).toThrow(/did you mean 'backPopulates'\?/);
    expect(declareWithRelationship({ order_by: 'id' })).toThrow(/did you mean 'orderBy'\?/);
    // Nothing close: no guess, just the list.
    expect(declareWithRelationship({ zzzzzzzz: 1 })).toThrow(/unknown option 'zzzzzzzz' \(options: backref/);
  });

  it('refuses wrong value types for known options', () => {
    expect(declareWithRelationship({ lazy: 'bogus' })).toThrow(
      "relationship User.posts: option lazy must be one of 'select', 'joined', 'selectin', 'raise', 'noload', 'writeOnly' or a boolean, got 'bogus'",
    );
    expect(declareWithRelationship({ cascade: 'all, delete-orphans' })).toThrow(
      /relationship User\.posts: option cascade has an unknown cascade 'delete-orphans'/,
    );
    expect(declareWithRelationship({ lazy: 'toString' })).toThrow(
      /option lazy must be one of 'select'.*got 'toString'/,
    );
    expect(declareWithRelationship({ constructor: 1 })).toThrow(/unknown option 'constructor'/);
    expect(declareWithRelationship({ uselist: 'yes' })).toThrow(
      "relationship User.posts: option uselist must be true or false, got 'yes'",
    );
    expect(declareWithRelationship({ secondary: 5 })).toThrow(/option secondary must be a db\.Table/);
    expect(declareWithRelationship({ primaryJoin: 'user.id = post.user_id' })).toThrow(
      /option primaryJoin must be a function/,
    );
    expect(declareWithRelationship({ foreignKeys: [1] })).toThrow(/option foreignKeys must be a name or a list/);
  });

  it("checks a backref object's own options, naming the backref", () => {
    expect(declareWithRelationship({ backref: { name: 'author', lazy: 'dynamic' } })).toThrow(
      /relationship User\.posts backref 'author': option lazy 'dynamic' is not supported/,
    );
    expect(declareWithRelationship({ backref: { name: 'author', uselsit: false } })).toThrow(
      /backref 'author': unknown option 'uselsit'; did you mean 'uselist'\?/,
    );
    expect(declareWithRelationship({ backref: { lazy: 'joined' } })).toThrow(/option backref needs a name/);
  });

  it('accepts every implemented option, and undefined as absent', () => {
    const db = new Database();
    const tags = db.Table('t_tags', db.Column('x', db.Integer));
    expect(() =>
      db.Model('User', {
        id: db.Column(db.Integer, { primaryKey: true }),
        posts: db.relationship<unknown>('Post', {
          backref: { name: 'author', lazy: 'joined', uselist: false, cascade: 'save-update', orderBy: 'id' },
          lazy: 'selectin',
          uselist: true,
          cascade: 'all, delete-orphan',
          passiveDeletes: false,
          orderBy: ['-id'],
          foreignKeys: 'userId',
          viewonly: false,
          backPopulates: undefined,
        }),
        other: db.relationship<unknown>('Post', { secondary: tags, remoteSide: ['id'], lazy: true }),
      }),
    ).not.toThrow();
  });
});

describe('column and model options', () => {
  it.each([
    // serverDefault and onUpdate are implemented (issue 13): SQLAlchemy's spellings point at them.
    ['server_default', { server_default: 'now()' }, /spell it serverDefault/],
    ['onupdate', { onupdate: () => new Date() }, /spell it onUpdate/],
    // deferred is implemented (issue 14): SQLAlchemy's spellings of its options point at it.
    ['deferred_group', { deferred_group: 'media' }, /spell it deferredGroup/],
  ])('refuses %s on a column, naming model and attribute', (option, options, instead) => {
    const declare = declareWithColumn(options);
    expect(declare).toThrow(MappingError);
    expect(declare).toThrow(`User.email: option '${option}' is not supported by Relata`);
    expect(declare).toThrow(instead);
  });

  it('refuses misspelt column options and wrong value types', () => {
    expect(declareWithColumn({ primary_key: true })).toThrow(
      /User\.email: unknown option 'primary_key'; did you mean 'primaryKey'\?/,
    );
    expect(declareWithColumn({ nulable: false })).toThrow(/did you mean 'nullable'\?/);
    expect(declareWithColumn({ unique: 'yes' })).toThrow("User.email: option unique must be true or false, got 'yes'");
  });

  // schema (issue 13) and inheritance (issue 14) are implemented: see test/sql/ddl-schemas.test.ts and
  // test/orm/inheritance.test.ts.
  it('refuses model option abstract, naming the model and what to do instead', () => {
    const declare = declareWithModelOptions({ abstract: true });
    expect(declare).toThrow(MappingError);
    expect(declare).toThrow(`Model User: option 'abstract' is not supported by Relata`);
    expect(declare).toThrow(/spreading a function that returns them/);
  });

  it('refuses inherits that is not a model class, naming the model', () => {
    expect(declareWithModelOptions({ inherits: 'Person' })).toThrow(
      "Model User: option inherits must be a model class, got 'Person'",
    );
  });

  it('refuses a misspelt model option and a wrong value type', () => {
    expect(declareWithModelOptions({ tablename: 'users' })).toThrow(
      /Model User: unknown option 'tablename'; did you mean 'tableName'\?/,
    );
    expect(declareWithModelOptions({ tableName: 7 })).toThrow(
      'Model User: option tableName must be a string, got number 7',
    );
  });

  it('checks columns of db.Table and Core Table/Column/ForeignKey (ArgumentError) too', () => {
    const db = new Database();
    expect(() => db.Table('t', db.Column('x', db.Integer, { server_default: '0' } as never))).toThrow(
      /db\.Table\('t'\) column 'x': option 'server_default' is not supported/,
    );
    expect(() => db.Table('u', db.Column('x', db.Integer, { deferred: true }))).toThrow(
      /db\.Table\('u'\) column 'x': deferred loading is for a model's columns/,
    );
    expect(() => new SchemaColumn('x', Integer, [], { deferred: true } as never)).toThrow(ArgumentError);
    expect(() => new SchemaColumn('x', Integer, [], { deferred: true } as never)).toThrow(
      /Column 'x': option 'deferred' is not supported/,
    );
    expect(() => CoreForeignKey('user.id', { onDelete: 'CASCADE' } as never)).toThrow(
      /ForeignKey\('user\.id'\): unknown option 'onDelete'; did you mean 'ondelete'\?/,
    );
    expect(() => CoreForeignKey('user.id', { ondelete: 'CASCADES' as never })).toThrow(
      /option ondelete must be one of 'CASCADE'/,
    );
    expect(() => new Table('t', [new SchemaColumn('x', {} as never)])).toThrow(
      "Column 'x': type must be a SQL type such as Integer, got an object",
    );
  });
});

describe('unknown column types', () => {
  class UuidType extends SqlType<string> {
    readonly typeName = 'UUID';
  }

  it('are refused at declaration, naming the column and the type', () => {
    const db = new Database();
    const declare = () =>
      db.Model('Thing', {
        id: db.Column(db.Integer, { primaryKey: true }),
        ref: db.Column(new UuidType()),
      });
    expect(declare).toThrow(MappingError);
    expect(declare).toThrow(
      /Thing\.ref: type UUID has no column type in Relata's dialects \(use one of Integer,.*Uuid.*or a TypeDecorator over one\)/,
    );
    expect(() => db.Column({ typeName: 'UUID' } as never)).toThrow(/needs a type such as Integer .* got an object/);
  });

  it('are refused by every dialect when DDL is compiled, never guessed as BLOB/BYTEA', async () => {
    const { SqliteCompiler } = await import('../../src/dialects/sqlite/compiler.js');
    const { PostgresCompiler } = await import('../../src/dialects/postgres/compiler.js');
    const { MysqlCompiler } = await import('../../src/dialects/mysql/compiler.js');
    const table = new Table('thing', [
      new SchemaColumn('id', Integer, [], { primaryKey: true }),
      new SchemaColumn('ref', new UuidType()),
    ]);
    for (const [name, compiler] of [
      ['sqlite', new SqliteCompiler()],
      ['postgres', new PostgresCompiler()],
      ['mysql', new MysqlCompiler()],
    ] as const) {
      expect(() => compiler.createTable(table, true)).toThrow(CompileError);
      expect(() => compiler.createTable(table, true)).toThrow(
        `column thing.ref: ${name} has no column type for UUID (use one of Integer,`,
      );
    }
  });
});

describe('filterBy', () => {
  it('refuses a relationship or a method as a key, naming the model and key', () => {
    const db = new Database();
    class User extends db.Model('User', {
      id: db.Column(db.Integer, { primaryKey: true }),
      posts: db.relationship<unknown>('Post', { backref: 'author' }),
    }) {}
    db.Model('Post', {
      id: db.Column(db.Integer, { primaryKey: true }),
      user_id: db.Column(db.Integer, db.ForeignKey('user.id')),
    });
    expect(() => User.query.filterBy({ posts: [] } as never)).toThrow(ArgumentError);
    expect(() => User.query.filterBy({ posts: [] } as never)).toThrow(
      "User.filterBy(): 'posts' is a relationship, not a column; use filter(User.posts.any(...))",
    );
    expect(() => User.query.filterBy({ toJSON: 1 } as never)).toThrow(
      /User has no column attribute 'toJSON' \(columns: id\)/,
    );
  });
});
