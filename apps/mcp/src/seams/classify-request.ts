import {
  classifyInboundRequest,
  isJSONRPCRequest,
  PROTOCOL_VERSION_META_KEY,
  type InboundClassificationOutcome,
  type InboundHttpRequest,
} from '@modelcontextprotocol/server';

const FIRST_MODERN_REVISION = '2026-07-28';

/**
 * SEAM (MCP SDK v2 2.4): the SDK's `classifyInboundRequest` with one shortcut for the bulk of
 * 2025 traffic. The classifier tries a request body as a result response and as an error response
 * before it tries it as a request (two failed zod parses, each building an issue list, on every
 * call). A JSON-RPC request with no `_meta` protocol-version claim and no 2026+
 * `MCP-Protocol-Version` header is always 2025 traffic by its rules ("body-primary": no claim means
 * legacy; `initialize` is refused only under a modern header), so that case is answered here with
 * the outcome the classifier would give; everything else goes to the classifier.
 * test/seams.contract.test.ts compares both on a table of requests.
 */
export function classifyRequest(inbound: InboundHttpRequest): InboundClassificationOutcome {
  const { body } = inbound;
  const header = inbound.protocolVersionHeader?.replace(/^[ \t]+|[ \t]+$/g, '');
  if ((header === undefined || header < FIRST_MODERN_REVISION) && !hasEnvelopeClaim(body) && isJSONRPCRequest(body)) {
    if (body.method === 'initialize') {
      const requested = body.params?.['protocolVersion'];
      return { kind: 'legacy', reason: 'initialize', ...(typeof requested === 'string' ? { requestedVersion: requested } : {}) };
    }
    return { kind: 'legacy', reason: 'no-claim', ...(header !== undefined ? { requestedVersion: header } : {}) };
  }
  return classifyInboundRequest(inbound);
}

function hasEnvelopeClaim(body: unknown): boolean {
  const params = isObject(body) ? body['params'] : undefined;
  const meta = isObject(params) ? params['_meta'] : undefined;
  return isObject(meta) && PROTOCOL_VERSION_META_KEY in meta;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
