// The production rule for public URLs, case by case; each app's config test checks it is applied.
import { describe, expect, it } from 'vitest';
import { productionUrlProblem } from '../src/public-url.js';

describe('productionUrlProblem', () => {
  it.each(['http://auth.example.com', 'http://10.0.0.5:4000', 'http://mcp.example.com/mcp', 'http://127.0.0.1.example.com'])(
    'refuses %s',
    (url) => expect(productionUrlProblem(url)).toMatch(/^must be https when NODE_ENV=production: .+ is not loopback/),
  );

  it.each(['http://localhost:4000', 'http://127.0.0.1:4000', 'http://[::1]:4000', 'http://dev.localhost', 'https://auth.example.com'])(
    'accepts %s',
    (url) => expect(productionUrlProblem(url)).toBeUndefined(),
  );
});
