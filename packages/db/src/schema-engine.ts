// Prisma's WASM schema engine, driven through @prisma/adapter-pg: the same engine `prisma migrate`
// runs natively, but with no downloaded binary and no network (these machines reach npm only, not Prisma's binary downloads).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import * as runtime from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { CatalogCharClient } from './catalog-char-client.js';

const require = createRequire(import.meta.url);

/** Prisma's CLI passes this when no prisma.config lists external tables or enums. */
export const NO_SCHEMA_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

/** Node's WebAssembly global; @types/node has no value declaration for it without the DOM lib. */
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, object>) => { exports: Record<string, unknown> };
}

let engineClass: Promise<typeof SchemaEngine> | undefined;

/**
 * Instantiates the .wasm ourselves, as Prisma's own WasmSchemaEngineLoader does, instead of importing
 * the package's ESM entry (which needs `--experimental-wasm-modules` on Node 20). Once per process:
 * wasm-bindgen keeps module-level state and breaks if the module is started twice.
 */
function loadEngineClass(): Promise<typeof SchemaEngine> {
  engineClass ??= (async () => {
    installPanicRegistry();
    // The package's exports map hides the .wasm; it sits beside the bindings it belongs to.
    const bindings = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(bindings), 'schema_engine_bg.wasm'));
    const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { './schema_engine_bg.js': withUnrefTimers(runtime) });
    runtime.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return runtime.SchemaEngine;
  })();
  return engineClass;
}

/**
 * A Rust panic inside the engine reports its message through this global before the trap (Prisma's
 * own loaders install it); without it the panic surfaces as "cannot read set_message of undefined"
 * and the real reason is lost. The message is thrown on by the caller that saw the trap.
 */
const panicRegistry = { message: undefined as string | undefined, set_message(message: string) { this.message = message; } };

function installPanicRegistry(): void {
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: typeof panicRegistry }).PRISMA_WASM_PANIC_REGISTRY = panicRegistry;
}

/** The engine's panic message, if one happened, attached to the trap it caused. */
export function withEnginePanic(error: unknown): unknown {
  const message = panicRegistry.message;
  if (message === undefined) return error;
  panicRegistry.message = undefined;
  return new Error(`Prisma schema engine panicked: ${message}`, { cause: error });
}

/**
 * The engine arms a timer for every advisory-lock wait (10 s) and never clears it, which would keep
 * a finished `pnpm db:migrate` alive for 10 s. Its timers never need to hold the process open: the
 * engine's own work is awaited over pg sockets, which do.
 */
function withUnrefTimers(bindings: typeof runtime): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...bindings };
  for (const name of Object.keys(imports).filter((n) => n.startsWith('__wbg_setTimeout_'))) {
    imports[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref();
  }
  return imports;
}

/**
 * The adapter factory the engine drives. Every connection it opens is closed with the engine (freeing
 * the engine does not dispose its adapters, and an open pool keeps the process alive). Shadow
 * databases are made here rather than by adapter-pg's `connectToShadowDb`, whose dispose drops the
 * database while its own pool still holds a session in it ("being accessed by other users"), and
 * whose `{ ...config, database }` a `connectionString` would silently override (pg lets the string
 * win), pointing the "shadow" at the real database. Hence a parsed config, never a string.
 */
function engineAdapterFactory(config: pg.ClientConfig): {
  factory: SqlMigrationAwareDriverAdapterFactory;
  disposeAll(): Promise<void>;
} {
  const open = new Set<SqlDriverAdapter>();
  const track = (adapter: SqlDriverAdapter, afterDispose?: () => Promise<void>): SqlDriverAdapter => {
    const dispose = adapter.dispose.bind(adapter);
    let disposed: Promise<void> | undefined;
    adapter.dispose = () => {
      open.delete(adapter);
      disposed ??= dispose().then(afterDispose);
      return disposed;
    };
    open.add(adapter);
    return adapter;
  };
  const main = new PrismaPg({ ...config, max: 2, Client: CatalogCharClient });
  return {
    factory: {
      provider: main.provider,
      adapterName: main.adapterName,
      connect: async () => track(await main.connect()),
      connectToShadowDb: async () => {
        const name = `prisma_migrate_shadow_db_${randomUUID()}`;
        await runOnce(config, `CREATE DATABASE "${name}"`);
        const shadow = await new PrismaPg({ ...config, database: name, max: 2, Client: CatalogCharClient }).connect();
        return track(shadow, () => runOnce(config, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      },
    },
    disposeAll: async () => {
      await Promise.allSettled([...open].map((adapter) => adapter.dispose()));
    },
  };
}

async function runOnce(config: pg.ClientConfig, sql: string): Promise<void> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface OpenSchemaEngine {
  engine: SchemaEngine;
  close(): Promise<void>;
}

/**
 * Opens a schema engine against `databaseUrl`. A diff from a migrations directory replays it into a
 * temporary shadow database on the same server (so that needs CREATEDB); applyMigrations does not.
 * The WASM engine's createMigration cannot reach a shadow database at all, so new migrations are
 * made with diff (see diff.ts). Close it when done.
 */
export async function openSchemaEngine(databaseUrl: string): Promise<OpenSchemaEngine> {
  const Engine = await loadEngineClass();
  const tracked = engineAdapterFactory(parseIntoClientConfig(databaseUrl));
  const factory = bindMigrationAwareSqlAdapterFactory(tracked.factory);
  // The engine's tracing goes to this callback; migrate reports what it applied instead.
  const ignoreEngineLog = (_line: string): void => {};
  let engine: SchemaEngine;
  try {
    engine = await Engine.new({ datamodels: undefined }, ignoreEngineLog, factory);
  } catch (error) {
    await tracked.disposeAll();
    throw error;
  }
  return {
    engine,
    close: async () => {
      engine.free();
      await tracked.disposeAll();
    },
  };
}
