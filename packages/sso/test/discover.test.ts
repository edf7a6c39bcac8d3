import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { discoverIdp, IdpDiscoveryError } from '../src/index.js';
import { startUpstreamIdp, type UpstreamIdp } from '../src/testing.js';

describe('discovery against a real OpenID provider (oidc-provider on loopback)', () => {
  let idp: UpstreamIdp;
  beforeAll(async () => {
    idp = await startUpstreamIdp({ redirectUris: ['http://127.0.0.1:1/sso/corp/callback'] });
  });
  afterAll(async () => idp?.close());

  it('reads the endpoints, picks client_secret_basic and checks ID token signatures', async () => {
    const config = await discoverIdp({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, timeoutSeconds: 5 });
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(idp.issuer);
    expect(metadata.token_endpoint).toBe(`${idp.issuer}/token`);
    expect(config.timeout).toBe(5);
  });

  it('refuses a document that names another issuer (a mirror of the real one), and a path with none', async () => {
    const document = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).text();
    const mirror = createHttpServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(document));
    await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
    const mirrorIssuer = `http://127.0.0.1:${(mirror.address() as { port: number }).port}`;
    const error = await discoverIdp({ issuer: mirrorIssuer, clientId: 'x', clientSecret: 'y' }).catch((caught: unknown) => caught);
    mirror.close();
    expect(error).toBeInstanceOf(IdpDiscoveryError);
    expect((error as IdpDiscoveryError).unreachable).toBe(false);
    expect((error as Error).message).toMatch(/is not usable/);

    const missing = await discoverIdp({ issuer: `${idp.issuer}/nothing-here`, clientId: 'x', clientSecret: 'y' }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(IdpDiscoveryError);
    expect((missing as IdpDiscoveryError).unreachable).toBe(false);
  });

  it('says "could not reach" for a closed port and for an IdP that never answers, within the timeout', async () => {
    const closed = await discoverIdp({ issuer: 'http://127.0.0.1:1', clientId: 'x', clientSecret: 'y' }).catch((caught: unknown) => caught);
    expect(closed).toBeInstanceOf(IdpDiscoveryError);
    expect((closed as IdpDiscoveryError).unreachable).toBe(true);
    expect((closed as Error).message).toMatch(/could not reach http:\/\/127\.0\.0\.1:1/);

    const silent: Server = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    const hung = await discoverIdp({ issuer: `http://127.0.0.1:${port}`, clientId: 'x', clientSecret: 'y', timeoutSeconds: 1 }).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(4000);
    expect((hung as IdpDiscoveryError).unreachable).toBe(true);
    silent.close();
  });
});
