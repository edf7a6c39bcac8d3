// A pg Client for the schema engine's connections that reports Postgres's internal one-byte
// `"char"` type (OID 18, used by pg_catalog columns such as relkind and contype) as text.
// @prisma/adapter-pg has no mapping for it and refuses the whole result ("Column type 'char' could
// not be deserialized"), which breaks every schema description the engine makes (diffs from a
// migrations directory or a live database). Its text form is already a one-character string.
import pg from 'pg';

const INTERNAL_CHAR_OID = 18;
const TEXT_OID = 25;

type Result = pg.QueryResult | pg.QueryResult[];

function reportCharAsText<R>(result: R): R {
  for (const one of (Array.isArray(result) ? result : [result]) as Result[]) {
    for (const field of (one as pg.QueryResult | undefined)?.fields ?? []) {
      if (field.dataTypeID === INTERNAL_CHAR_OID) field.dataTypeID = TEXT_OID;
    }
  }
  return result;
}

export class CatalogCharClient extends pg.Client {
  // pg's query() has many overloads (promise, callback, submittable); patch the result in each form.
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => (last as (e: unknown, r: unknown) => void)(error, error ? result : reportCharAsText(result));
    }
    const returned = (super.query as (...a: unknown[]) => unknown)(...args);
    if (returned instanceof Promise) return returned.then(reportCharAsText) as never;
    return returned as never;
  }
}
