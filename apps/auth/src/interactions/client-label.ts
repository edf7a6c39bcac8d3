import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import { isLoopbackLiteral } from '@omnichat/util';

export type ClientLabel = {
  name: string;
  redirectHost: string;
  /** For CIMD clients (an https client_id), the host that vouches for the document. */
  clientIdHost: string | undefined;
};

/** A redirect host (`host[:port]`) that is one of RFC 8252's loopback spellings. */
export function isLoopbackHost(host: string): boolean {
  return isLoopbackLiteral(host.replace(/:\d+$/, ''));
}

/** How a client is named on our pages: its self-asserted name, else its redirect host, else its id. */
export async function clientLabel(provider: Provider, clientId: unknown): Promise<ClientLabel> {
  const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
  if (!client) throw new errors.InvalidClient('client not found');
  const redirectHost = URL.parse(client.redirectUris?.[0] ?? '')?.host ?? '';
  const idUrl = URL.parse(client.clientId);
  return {
    name: client.clientName || redirectHost || client.clientId,
    redirectHost,
    clientIdHost: idUrl?.protocol === 'https:' ? idUrl.host : undefined,
  };
}
