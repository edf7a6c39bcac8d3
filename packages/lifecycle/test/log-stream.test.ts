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
