import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { developmentLogStream } from '../src/log-stream.js';

describe('developmentLogStream', () => {
  it('keeps JSON in production and whenever stdout is not a terminal', () => {
    expect(developmentLogStream({ NODE_ENV: 'production' }, { isTTY: true })).toBeUndefined();
    expect(developmentLogStream({}, { isTTY: false })).toBeUndefined();
    expect(developmentLogStream({}, {})).toBeUndefined();
  });

  it('turns a JSON line into a readable one for a developer at a terminal', async () => {
    const out: string[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    const stream = developmentLogStream({ NODE_ENV: 'development' }, { isTTY: true }, sink);
    expect(stream).toBeDefined();
    pino({ level: 'info' }, stream!).info({ issuer: 'http://localhost:4000' }, 'OmniChat Auth is up');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // eslint-disable-next-line no-control-regex
    const text = out.join('').replace(/\x1b\[[0-9;]*m/g, '');
    expect(text).toMatch(/INFO.*: OmniChat Auth is up/);
    expect(text).toContain('issuer: "http://localhost:4000"');
    expect(text).not.toMatch(/^\{/);
  });
});

describe('serverLogDestination', () => {
  const fixture = path.join(import.meta.dirname, 'fixtures/log-burst-then-exit.ts');
  const runFixture = async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    // A reader that falls behind for a moment (a busy log collector) fills the pipe: SonicBoom's
    // asynchronous write gets EAGAIN and holds its batch for a retry, which is when exit lost it.
    child.stdout.pause();
    child.stderr.once('data', () => setTimeout(() => child.stdout.resume(), 300));
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number];
    return { code, lines: out.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; i?: number }) };
  };

  // Without the drain (process.exit straight after the last line, what the handlers did), this
  // fixture lost about fifty lines from the middle of the log on an idle machine.
  it('exit() writes out every line, the batch still in flight included, then exits with the code', async () => {
    const { code, lines } = await runFixture();
    expect(code).toBe(0);
    expect(lines).toHaveLength(20_001);
    expect(lines.slice(0, -1).every((line, index) => line.i === index)).toBe(true);
    expect(lines.at(-1)?.msg).toBe('stopped');
  }, 30_000);
});
