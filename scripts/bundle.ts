// Bundles a server entry point (our TypeScript, workspace packages included) into one ES module
// that plain `node` runs: no transpiler in the serving process. tsx's loader costs each process
// ~35 MB of resident memory and its start-up time (bench: memory.*.rss_peak). The migrate and admin CLIs are bundled too, for the image.
//
// Dependencies from node_modules stay external, imported by their path relative to the bundle, so
// every import resolves to exactly the file it resolves to from the source (pnpm keeps each
// package's dependencies beside it, not where the bundle lives). `import.meta.url` and
// `import.meta.resolve('literal')` in our sources are rewritten the same way, so a module that
// finds files from its own location still finds them.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

export type BundleTarget = { entry: string; outfile: string };

export async function bundle(targets: readonly BundleTarget[]): Promise<void> {
  await Promise.all(
    targets.map(({ entry, outfile }) =>
      build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        // Names in stack traces and logs stay readable; size is not what this is for.
        minify: false,
        sourcemap: 'linked',
        sourcesContent: false,
        logLevel: 'warning',
        plugins: [externalsWhereTheyAre(path.dirname(outfile))],
      }),
    ),
  );
}

const RUNTIME_RESOLVE = /import\.meta\.resolve\((['"])([^'"]+)\1\)/g;
const IMPORT_META = /import\.meta\.resolve\((['"])([^'"]+)\1\)|import\.meta\.url/g;

/** `./x` → `./x` (a path relative to the bundle's directory that Node accepts as a specifier). */
function specifierFrom(outDir: string, file: string): string {
  const relative = path.relative(outDir, file).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

function externalsWhereTheyAre(outDir: string): Plugin {
  return {
    name: 'externals-where-they-are',
    setup(build) {
      // Bare specifiers other than our workspace packages: resolve as the importing file would,
      // then import that file from the bundle.
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.path.startsWith('@omnichat/') || args.path.startsWith('node:') || args.pluginData === 'resolving') return undefined;
        const resolved = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: 'resolving' });
        if (resolved.errors.length > 0 || !path.isAbsolute(resolved.path)) return { external: true };
        return { path: specifierFrom(outDir, resolved.path), external: true };
      });
      // Our sources: a module's own location, and what it resolves at run time, as in the source tree.
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        const urlOf = (file: string) => `new URL(${JSON.stringify(specifierFrom(outDir, file))}, import.meta.url).href`;
        const resolvedUrls = new Map<string, string>();
        for (const [, , specifier] of source.matchAll(RUNTIME_RESOLVE)) {
          const resolved = await build.resolve(specifier!, { resolveDir: path.dirname(args.path), kind: 'dynamic-import', pluginData: 'resolving' });
          if (resolved.errors.length > 0) throw new Error(`${args.path}: cannot resolve ${specifier} for the bundle`);
          resolvedUrls.set(specifier!, urlOf(resolved.path));
        }
        const contents = source.replace(IMPORT_META, (_match, _quote, specifier?: string) => (specifier ? resolvedUrls.get(specifier)! : urlOf(args.path)));
        return { contents, loader: 'ts' };
      });
    },
  };
}
