// Hot statements built and compiled once, then run with each call's values (issue 14). Kysely builds a
// query as a tree of frozen nodes and compiles that tree to SQL text on every call: a few microseconds
// and about 10 KB of garbage per statement, for the dozen statements every processed message runs (40%
// of what the processing thread allocated: docs/benchmarks.md). A statement made with compiledOnce is
// built once per database and shape, with stand-ins where its values go; a call binds its own values in
// their places and runs the SQL text compiled before.
//
// The build function is given stand-ins, not values. It may look at which values are undefined and at
// how long a list is: both are part of the shape, and a statement of a new shape is built once more.
// Nothing else about a value may steer it (a stand-in is always there, truthy, and refuses to be turned
// into a string or number), and a value is a single one (a string, number, null, bytes) or a list of
// such: an object is refused, its fields would be read off the stand-in. A value the build function
// made itself (a clock reading, a constant bound as a parameter) would be frozen into the first build:
// refused, every bound value must be a stand-in or null.
//
// Through a Kysely instance with plugins (a test's statement counter) a statement is built with its
// values every time, as any other query: a plugin sees, and may change, each query it is given.
import { createQueryId, type Compilable, type CompiledQuery, type QueryResult } from 'kysely';
import type { Db } from './database.js';

/** Where a value goes: `name`, or element `index` of the list `name`. */
class StandIn {
  constructor(
    readonly name: string,
    readonly index: number | null,
  ) {}

  [Symbol.toPrimitive](): never {
    throw new Error(`compiledOnce: the value '${this.name}' was read while the statement was built; only its place may be used there`);
  }
}

interface Template {
  sql: string;
  query: CompiledQuery['query'];
  /** What each parameter is bound to: a value's stand-in, or null written into the statement. */
  places: (StandIn | null)[];
}

/** Shapes kept per statement and database; a statement of more shapes (long lists) builds the rest each time. */
const MAX_SHAPES = 32;

/**
 * A statement built by `build` once per database (by its adapter: a transaction shares its database's)
 * and shape, run with `values` bound. The result is Kysely's QueryResult: rows, and numAffectedRows for a
 * write without RETURNING.
 */
export function compiledOnce<V extends object, R>(
  build: (db: Db, values: V) => Compilable<R>,
): (db: Db, values: V) => Promise<QueryResult<R>> {
  const templates = new WeakMap<object, Map<string, Template>>();
  return async (db, values) => {
    const executor = db.getExecutor();
    if (executor.plugins.length) return db.executeQuery<R>(build(db, values));
    const { adapter } = executor;
    let byShape = templates.get(adapter);
    if (!byShape) templates.set(adapter, (byShape = new Map()));
    const shape = shapeOf(values);
    let template = byShape.get(shape);
    if (!template) {
      template = compile(build(db, standInsFor(values)).compile());
      if (byShape.size < MAX_SHAPES) byShape.set(shape, template);
    }
    const given = values as Record<string, unknown>;
    const parameters = template.places.map((place) => (place === null ? null : place.index === null ? given[place.name] : (given[place.name] as unknown[])[place.index]));
    return db.executeQuery<R>({ sql: template.sql, query: template.query, parameters, queryId: createQueryId() });
  };
}

/** Which values are undefined, and the length of each list. */
function shapeOf(values: object): string {
  let shape = '';
  for (const name in values) {
    const value = (values as Record<string, unknown>)[name];
    shape += `${name}:${value === undefined ? 'u' : Array.isArray(value) ? value.length : ''};`;
  }
  return shape;
}

function standInsFor<V extends object>(values: V): V {
  const standIns: Record<string, unknown> = {};
  for (const name in values) {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) standIns[name] = undefined;
    else if (Array.isArray(value)) standIns[name] = value.map((_, index) => new StandIn(name, index));
    else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
      // Its fields would be read off the stand-in (undefined, dropping a column) and frozen so.
      throw new Error(`compiledOnce: the value '${name}' is an object; give each of its fields as a value of its own`);
    } else standIns[name] = new StandIn(name, null);
  }
  return standIns as V;
}

function compile(compiled: CompiledQuery): Template {
  const places = compiled.parameters.map((parameter, position) => {
    if (parameter instanceof StandIn || parameter === null) return parameter;
    throw new Error(`compiledOnce: parameter ${position + 1} of "${compiled.sql}" is not one of the statement's values; pass it in`);
  });
  return { sql: compiled.sql, query: compiled.query, places };
}
