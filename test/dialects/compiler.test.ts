/** Compiled SQL and parameters for the PostgreSQL and MySQL compilers (no server needed). */
import { describe, expect, it } from 'vitest';
import { MysqlCompiler, binaryCollationFor } from '../../src/dialects/mysql/compiler.js';
import { parseServerVersion } from '../../src/dialects/mysql/driver.js';
import { PostgresCompiler } from '../../src/dialects/postgres/compiler.js';
import { func, text } from '../../src/index.js';
import { Delete, Insert, Update } from '../../src/sql/dml.js';
import { ColumnRef, TupleInExpression, bindValue } from '../../src/sql/expressions.js';
import { Column, ForeignKey, MetaData, Table } from '../../src/sql/schema.js';
import { Select } from '../../src/sql/selectable.js';
import {
  BigInteger,
  Boolean,
  DateOnly,
  DateTime,
  Float,
  Integer,
  Json,
  Numeric,
  String,
  Text,
} from '../../src/sql/types.js';

const meta = new MetaData();
const users = meta.add(
  new Table('user', [
    new Column('id', Integer, [], { primaryKey: true }),
    new Column('name', String(50), [], { nullable: false, unique: true }),
    new Column('active', Boolean),
    new Column('seen', DateTime),
    new Column('meta', Json),
    new Column('balance', Numeric(12, 2)),
  ]),
);
const posts = meta.add(
  new Table('post', [
    new Column('id', BigInteger, [], { primaryKey: true }),
    new Column('user_id', Integer, [new ForeignKey('user.id', { ondelete: 'CASCADE' })], { index: true }),
    new Column('title', String()),
    new Column('body', Text),
    new Column('score', Float),
    new Column('amount', Numeric()),
    new Column('day', DateOnly),
  ]),
);
const links = meta.add(
  new Table('link', [
    new Column('a', Integer, [], { primaryKey: true }),
    new Column('b', Integer, [], { primaryKey: true }),
  ]),
);
const u = users.c;
const when = new Date('2024-01-02T03:04:05.006Z');

describe('PostgreSQL compiler', () => {
  const c = new PostgresCompiler();

  it('numbers placeholders, quotes identifiers (doubling quotes) and binds every value', () => {
    const s = new Select({ columns: [u.id!, u.name!], from: [users] }).filter(
      u.name!.eq("x'; DROP TABLE user; --"),
      u.active!.eq(true),
      u.seen!.gt(when),
      u.name!.ilike('B%'),
    );
    expect(c.compile(s)).toEqual({
      sql: 'SELECT "user"."id", "user"."name" FROM "user" WHERE ("user"."name" = $1 AND "user"."active" = $2 AND "user"."seen" > $3 AND "user"."name" ILIKE $4)',
      params: ["x'; DROP TABLE user; --", true, '2024-01-02T03:04:05.006Z', 'B%'],
    });
    expect(c.quote('we"ird')).toBe('"we""ird"');
  });

  it('sends JSON as JSON text (arrays included), bigint and decimals as exact text', () => {
    const ins = new Insert(users, [users.column('meta'), users.column('balance')], [[['a', 1], 12.5]]);
    expect(c.compile(ins).params).toEqual(['["a",1]', '12.5']);
    const big = new Select({ columns: [posts.c.id!], from: [posts] }).filter(
      posts.c.id!.eq(9223372036854775807n as never),
    );
    expect(c.compile(big)).toEqual({
      sql: 'SELECT "post"."id" FROM "post" WHERE "post"."id" = $1',
      params: ['9223372036854775807'],
    });
  });

  it('INSERT … RETURNING, UPDATE, DELETE, DEFAULT VALUES', () => {
    expect(c.compile(new Insert(users, [users.column('name')], [['a'], ['b']], [users.column('id')]))).toEqual({
      sql: 'INSERT INTO "user" ("name") VALUES ($1), ($2) RETURNING "id"',
      params: ['a', 'b'],
    });
    expect(c.compile(new Insert(users, [], [[]], [users.column('id')])).sql).toBe(
      'INSERT INTO "user" DEFAULT VALUES RETURNING "id"',
    );
    expect(c.compile(new Update(users, new Map([[users.column('name'), 'z']]), u.id!.eq(3)))).toEqual({
      sql: 'UPDATE "user" SET "name" = $1 WHERE "user"."id" = $2',
      params: ['z', 3],
    });
    expect(c.compile(new Delete(users, u.id!.in([1, 2])))).toEqual({
      sql: 'DELETE FROM "user" WHERE "user"."id" IN ($1, $2)',
      params: [1, 2],
    });
  });

  it('LIMIT/OFFSET inline, OFFSET alone, tuple IN for composite keys, text() placeholders renumbered', () => {
    expect(c.compile(new Select({ columns: [u.id!], from: [users], limit: 10, offset: 20 })).sql).toBe(
      'SELECT "user"."id" FROM "user" LIMIT 10 OFFSET 20',
    );
    expect(c.compile(new Select({ columns: [u.id!], from: [users], offset: 5 })).sql).toBe(
      'SELECT "user"."id" FROM "user" OFFSET 5',
    );
    const cols = [links.c.a!, links.c.b!] as ColumnRef[];
    const tuple = new TupleInExpression(
      cols,
      [
        [1, 2],
        [3, 4],
      ].map((r) => r.map((v) => bindValue(v, Integer, 'test'))),
    );
    expect(
      c.compile(new Select({ columns: [links.c.a!], from: [links] }).filter(tuple, text('"link"."a" > ?', [0]))),
    ).toEqual({
      sql: 'SELECT "link"."a" FROM "link" WHERE (("link"."a", "link"."b") IN (($1, $2), ($3, $4)) AND "link"."a" > $5)',
      params: [1, 2, 3, 4, 0],
    });
    expect(c.compile(new Select({ columns: [func.count()], from: [users] })).sql).toBe('SELECT count(*) FROM "user"');
  });

  it('DDL: identity keys, named primary key, types, constraints, CREATE INDEX IF NOT EXISTS', () => {
    expect(c.createTable(users, true)).toEqual([
      'CREATE TABLE IF NOT EXISTS "user" (\n' +
        '  "id" INTEGER GENERATED BY DEFAULT AS IDENTITY NOT NULL,\n' +
        '  "name" VARCHAR(50) NOT NULL,\n' +
        '  "active" BOOLEAN,\n' +
        '  "seen" TIMESTAMP WITH TIME ZONE,\n' +
        '  "meta" JSONB,\n' +
        '  "balance" NUMERIC(12, 2),\n' +
        '  CONSTRAINT "pk_user" PRIMARY KEY ("id"),\n' +
        '  CONSTRAINT "uq_user_name" UNIQUE ("name")\n' +
        ')',
    ]);
    expect(c.createTable(posts, true)).toEqual([
      'CREATE TABLE IF NOT EXISTS "post" (\n' +
        '  "id" BIGINT GENERATED BY DEFAULT AS IDENTITY NOT NULL,\n' +
        '  "user_id" INTEGER,\n' +
        '  "title" VARCHAR,\n' +
        '  "body" TEXT,\n' +
        '  "score" DOUBLE PRECISION,\n' +
        '  "amount" NUMERIC,\n' +
        '  "day" DATE,\n' +
        '  CONSTRAINT "pk_post" PRIMARY KEY ("id"),\n' +
        '  CONSTRAINT "fk_post_user_id_user" FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE\n' +
        ')',
      'CREATE INDEX IF NOT EXISTS "ix_post_user_id" ON "post" ("user_id")',
    ]);
    expect(c.createTable(links)[0]).toContain(
      '"a" INTEGER NOT NULL,\n  "b" INTEGER NOT NULL,\n  CONSTRAINT "pk_link" PRIMARY KEY ("a", "b")',
    );
  });
});

describe('MySQL / MariaDB compiler', () => {
  const mysql = () => new MysqlCompiler();
  const mariadb = () => {
    const c = new MysqlCompiler();
    c.configureFor(parseServerVersion('10.11.19-MariaDB-0+deb12u1'));
    return c;
  };

  it('uses ? placeholders, backquotes (doubling backquotes) and binds every value', () => {
    const c = mysql();
    const s = new Select({ columns: [u.id!], from: [users] }).filter(
      u.name!.eq('x` OR 1=1 -- \\'),
      u.active!.eq(false),
      u.seen!.le(when),
      u.name!.ilike('B%'),
    );
    expect(c.compile(s)).toEqual({
      sql: 'SELECT `user`.`id` FROM `user` WHERE (`user`.`name` = ? AND `user`.`active` = ? AND `user`.`seen` <= ? AND lower(`user`.`name`) LIKE lower(?))',
      params: ['x` OR 1=1 -- \\', 0, '2024-01-02 03:04:05.006', 'B%'],
    });
    expect(c.quote('we`ird')).toBe('`we``ird`');
  });

  it('OFFSET needs a LIMIT; LIMIT alone and both are plain', () => {
    const c = mysql();
    expect(c.compile(new Select({ columns: [u.id!], from: [users], offset: 5 })).sql).toBe(
      'SELECT `user`.`id` FROM `user` LIMIT 18446744073709551615 OFFSET 5',
    );
    expect(c.compile(new Select({ columns: [u.id!], from: [users], limit: 3, offset: 6 })).sql).toBe(
      'SELECT `user`.`id` FROM `user` LIMIT 3 OFFSET 6',
    );
  });

  it('RETURNING only on MariaDB ≥ 10.5; MySQL and TiDB take keys from insertId', () => {
    expect(mysql().supportsReturning).toBe(false);
    expect(mariadb().supportsReturning).toBe(true);
    const old = new MysqlCompiler();
    old.configureFor(parseServerVersion('10.4.32-MariaDB'));
    expect(old.supportsReturning).toBe(false);
    const tidb = new MysqlCompiler();
    tidb.configureFor(parseServerVersion('8.0.11-TiDB-v7.5.0'));
    expect(tidb.supportsReturning).toBe(false);
    expect(parseServerVersion('5.5.5-10.6.12-MariaDB-log')).toEqual({ flavor: 'mariadb', version: [10, 6, 12] });
    expect(mariadb().compile(new Insert(users, [users.column('name')], [['a']], [users.column('id')])).sql).toBe(
      'INSERT INTO `user` (`name`) VALUES (?) RETURNING `id`',
    );
  });

  it('rows with no values: () VALUES (), () — MySQL has no DEFAULT VALUES', () => {
    expect(mysql().compile(new Insert(users, [], [[], []])).sql).toBe('INSERT INTO `user` () VALUES (), ()');
  });

  it('sends booleans as 1/0, JSON as text, decimals as exact text, dates as UTC DATETIME text', () => {
    const ins = new Insert(
      users,
      [users.column('active'), users.column('meta'), users.column('balance'), users.column('seen')],
      [[true, { a: [1] }, 0.1, when]],
    );
    expect(mysql().compile(ins).params).toEqual([1, '{"a":[1]}', '0.1', '2024-01-02 03:04:05.006']);
  });

  it('DDL: AUTO_INCREMENT, InnoDB utf8mb4_nopad_bin, type mapping; String() is VARCHAR(255), bare Numeric the widest DECIMAL', () => {
    expect(mariadb().createTable(posts, true)).toEqual([
      'CREATE TABLE IF NOT EXISTS `post` (\n' +
        '  `id` BIGINT NOT NULL AUTO_INCREMENT,\n' +
        '  `user_id` INT,\n' +
        '  `title` VARCHAR(255),\n' +
        '  `body` LONGTEXT,\n' +
        '  `score` DOUBLE,\n' +
        '  `amount` DECIMAL(65, 30),\n' +
        '  `day` DATE,\n' +
        '  PRIMARY KEY (`id`),\n' +
        '  CONSTRAINT `fk_post_user_id_user` FOREIGN KEY (`user_id`) REFERENCES `user` (`id`) ON DELETE CASCADE\n' +
        ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin',
      'CREATE INDEX IF NOT EXISTS `ix_post_user_id` ON `post` (`user_id`)',
    ]);
    expect(mariadb().createTable(users)[0]).toContain(
      '`active` BOOLEAN,\n  `seen` DATETIME(6),\n  `meta` JSON,\n  `balance` DECIMAL(12, 2)',
    );
  });

  it("tables get the server's NO PAD binary collation where it has one (utf8mb4_bin ignores trailing spaces)", () => {
    const collation = (version: string) => binaryCollationFor(parseServerVersion(version));
    expect(collation('10.11.19-MariaDB-0+deb12u1')).toBe('utf8mb4_nopad_bin');
    expect(collation('11.4.2-MariaDB')).toBe('utf8mb4_nopad_bin');
    expect(collation('10.1.48-MariaDB')).toBe('utf8mb4_bin');
    expect(collation('8.0.36')).toBe('utf8mb4_0900_bin');
    expect(collation('8.0.16')).toBe('utf8mb4_bin');
    expect(collation('5.7.44')).toBe('utf8mb4_bin');
    expect(collation('8.0.11-TiDB-v7.5.0')).toBe('utf8mb4_bin');
  });

  it('MySQL (no CREATE INDEX IF NOT EXISTS): indexes go inside CREATE TABLE IF NOT EXISTS', () => {
    const [create, ...rest] = mysql().createTable(posts, true);
    expect(rest).toEqual([]);
    expect(create).toContain(
      'REFERENCES `user` (`id`) ON DELETE CASCADE,\n  INDEX `ix_post_user_id` (`user_id`)\n) ENGINE=InnoDB',
    );
    // Without IF NOT EXISTS, plain CREATE INDEX statements work everywhere.
    expect(mysql().createTable(posts).slice(1)).toEqual(['CREATE INDEX `ix_post_user_id` ON `post` (`user_id`)']);
  });

  it('tuple IN for composite keys', () => {
    const cols = [links.c.a!, links.c.b!] as ColumnRef[];
    const tuple = new TupleInExpression(
      cols,
      [[1, 2]].map((r) => r.map((v) => bindValue(v, Integer, 'test'))),
    );
    expect(mysql().compile(new Delete(links, tuple))).toEqual({
      sql: 'DELETE FROM `link` WHERE (`link`.`a`, `link`.`b`) IN ((?, ?))',
      params: [1, 2],
    });
  });
});
