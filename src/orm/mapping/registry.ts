/** All models of one Database: names, tables, mappers, and the step that resolves relationships. */
import { ArgumentError } from '../../sql/errors.js';
import { MetaData } from '../../sql/schema.js';
import type { Dialect } from '../../dialects/dialect.js';
import { CompiledLoads } from '../loading/compiled.js';
import type { Mapper } from './mapper.js';
import { installRelationship } from './model.js';
import type { RelationshipProperty } from './relationships.js';
import type { Session } from '../session/session.js';
import type { SessionListeners } from '../session/session-events.js';

export class Registry {
  readonly metadata = new MetaData();
  readonly mappers = new Map<string, Mapper>();
  private readonly byClass = new Map<unknown, Mapper>();
  private configured = false;
  /** Every backref name declared so far: models carry a placeholder for each until configured (see model.ts). */
  readonly backrefNames = new Set<string>();
  /** Per dialect; emptied when a model is added, since a new relationship can change a cached plan. */
  private readonly compiled = new Map<Dialect, CompiledLoads>();
  /** Session event listeners of the Database (`db.on('afterCommit', …)`), for every session; null while none. */
  sessionListeners: SessionListeners | null = null;

  constructor(readonly defaultSession: () => Session) {}

  register(mapper: Mapper): void {
    if (this.mappers.has(mapper.name)) throw new ArgumentError(`a model named '${mapper.name}' is already declared`);
    this.mappers.set(mapper.name, mapper);
    this.byClass.set(mapper.base, mapper);
    this.configured = false;
    for (const c of this.compiled.values()) c.clear();
  }

  /** Records the user's subclass so loaded rows become instances of it (with its methods). */
  bindClass(cls: unknown, mapper: Mapper): Mapper {
    if (cls === mapper.base || mapper.cls === cls) return mapper;
    if (mapper.cls !== mapper.base) {
      throw new ArgumentError(
        `model ${mapper.name} is already mapped by class ${mapper.cls.name}; each db.Model(...) base may be extended once`,
      );
    }
    mapper.cls = cls as Mapper['cls'];
    this.byClass.set(cls, mapper);
    // Every class has its own `name` and `length`, which hide inherited statics (a `name` column is
    // common): give the subclass its own copies of all attributes.
    for (const [key, attr] of mapper.attributes) {
      Object.defineProperty(cls, key, { value: attr, enumerable: true, configurable: true, writable: false });
    }
    return mapper;
  }

  /** The mapper of a model class (binding a user subclass on first sight). */
  mapperOf(cls: unknown): Mapper {
    const direct = this.byClass.get(cls);
    if (direct) return direct;
    let proto: unknown = typeof cls === 'function' ? Object.getPrototypeOf(cls) : undefined;
    while (proto && proto !== Function.prototype) {
      const m = this.byClass.get(proto);
      if (m) return this.bindClass(cls, m);
      proto = Object.getPrototypeOf(proto);
    }
    const name = typeof cls === 'function' ? cls.name || 'anonymous class' : String(cls);
    throw new ArgumentError(`${name} is not a model of this database (declare it with db.Model(...))`);
  }

  byName(name: string, where: string): Mapper {
    const m = this.mappers.get(name);
    if (!m) {
      throw new ArgumentError(
        `${where} refers to model '${name}', which is not declared (models: ${[...this.mappers.keys()].join(', ')})`,
      );
    }
    return m;
  }

  /** The compiled-load cache for one dialect (shared by every session of this registry on it). */
  compiledLoads(dialect: Dialect): CompiledLoads {
    let c = this.compiled.get(dialect);
    if (!c) this.compiled.set(dialect, (c = new CompiledLoads()));
    return c;
  }

  /** Adds a relationship created at configure time (a backref) to its mapper. */
  defineRelationship(mapper: Mapper, prop: RelationshipProperty): void {
    installRelationship(mapper, prop);
  }

  /**
   * Resolves every relationship (targets, foreign keys, backrefs). Runs on first use: the first
   * query, flush, `new Model()`, or read of a backref's class attribute.
   */
  configure(): void {
    if (this.configured) return;
    for (const mapper of [...this.mappers.values()]) {
      for (const rel of [...mapper.relationships.values()]) rel.configure();
    }
    this.configured = true;
  }
}
