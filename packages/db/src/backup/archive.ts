// The backup file: a plain POSIX tar holding manifest.json first and database.pgdump (pg_dump's
// custom format) second, nothing else. Standard tools read it (`tar -xOf FILE manifest.json`,
// `tar -xf FILE` then `pg_restore`), and the manifest can be checked before the dump is read.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

import { DUMP_ENTRY, MANIFEST_ENTRY, backupManifestSchema, type BackupManifest } from './manifest.js';

/** A file that is not a backup, or one that was damaged: the message says which check failed. */
export class BackupFileError extends Error {}

const MAX_MANIFEST_BYTES = 1024 * 1024;
const FILE_MODE = 0o600;

/** SHA-256 (hex) and size of a file. */
export async function digestFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Writes the archive to `outFile` through `<outFile>.partial` and a rename, so the name only ever
 * holds a complete backup. Mode 0600: it holds password hashes and sealed keys.
 */
export async function writeBackupArchive(outFile: string, manifest: BackupManifest, dumpFile: string): Promise<void> {
  const partial = `${outFile}.partial`;
  const pack = tar.pack();
  const mtime = new Date(manifest.createdAt);
  const written = pipeline(pack, createWriteStream(partial, { mode: FILE_MODE, flags: 'wx' }));
  try {
    const json = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await new Promise<void>((resolve, reject) => pack.entry({ name: MANIFEST_ENTRY, size: json.length, mode: FILE_MODE, mtime }, json, (error) => (error ? reject(error) : resolve())));
    const { size } = await stat(dumpFile);
    const entry = pack.entry({ name: DUMP_ENTRY, size, mode: FILE_MODE, mtime });
    await pipeline(createReadStream(dumpFile), entry);
    pack.finalize();
    await written;
    await rename(partial, outFile);
  } catch (error) {
    pack.destroy();
    await written.catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Reads and checks an archive: exactly the two entries in order, a valid manifest, and a dump of
 * the size and SHA-256 the manifest names, copied to `dumpFile`. Throws BackupFileError otherwise.
 */
export async function readBackupArchive(inFile: string, dumpFile: string): Promise<BackupManifest> {
  const extract = tar.extract();
  const source = createReadStream(inFile);
  // Never rejects (a rejection nobody awaits yet would be unhandled): the error is kept for below.
  let feedError: Error | undefined;
  const fed = pipeline(source, extract).catch((error: Error) => {
    feedError = error;
  });
  let manifest: BackupManifest | undefined;
  let dumpSeen = false;
  try {
    for await (const entry of extract) {
      if (manifest === undefined) {
        if (entry.header.name !== MANIFEST_ENTRY) throw new BackupFileError(`${inFile} is not an OmniChat backup: its first entry is "${entry.header.name}", not ${MANIFEST_ENTRY}`);
        manifest = parseManifest(await readSmall(entry as AsyncIterable<Buffer>), inFile);
        continue;
      }
      if (dumpSeen || entry.header.name !== DUMP_ENTRY) throw new BackupFileError(`${inFile} holds an unexpected entry "${entry.header.name}"`);
      dumpSeen = true;
      const hash = createHash('sha256');
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(entry, count, createWriteStream(dumpFile, { mode: FILE_MODE }));
      if (bytes !== manifest.dump.bytes || hash.digest('hex') !== manifest.dump.sha256) {
        throw new BackupFileError(`${inFile} is damaged: ${DUMP_ENTRY} does not match the size and SHA-256 in its manifest`);
      }
    }
    await fed;
    if (feedError) throw new BackupFileError(`${inFile} is not a readable backup (tar: ${feedError.message})`);
  } catch (error) {
    source.destroy();
    await fed;
    if (error instanceof BackupFileError) throw error;
    throw new BackupFileError(`${inFile} is not a readable backup (${(error as Error).message})`);
  }
  if (manifest === undefined) throw new BackupFileError(`${inFile} is not an OmniChat backup: no ${MANIFEST_ENTRY} in it`);
  if (!dumpSeen) throw new BackupFileError(`${inFile} is damaged: it has no ${DUMP_ENTRY}`);
  return manifest;
}

async function readSmall(entry: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of entry) {
    bytes += chunk.length;
    if (bytes > MAX_MANIFEST_BYTES) throw new BackupFileError(`${MANIFEST_ENTRY} is larger than ${MAX_MANIFEST_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseManifest(bytes: Buffer, inFile: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BackupFileError(`${inFile} is damaged: ${MANIFEST_ENTRY} is not JSON`);
  }
  const parsed = backupManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problem = parsed.error.issues[0];
    throw new BackupFileError(`${inFile} has an unusable ${MANIFEST_ENTRY}: ${problem ? `${problem.path.join('.') || '(root)'}: ${problem.message}` : 'invalid'}`);
  }
  return parsed.data;
}
