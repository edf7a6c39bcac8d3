import {
  classifyInboundRequest,
  isJSONRPCRequest,
  PROTOCOL_VERSION_META_KEY,
  type InboundClassificationOutcome,
  type InboundHttpRequest,
} from '@modelcontextprotocol/server';
import { BoundedMap } from '@omnichat/util';

const FIRST_MODERN_REVISION = '2026-07-28';

/**
 * SEAM (MCP SDK v2 2.4): the SDK's `classifyInboundRequest` with two shortcuts for the bulk of
 * traffic. The classifier tries every body as a result response and as an error response before it
 * tries it as a request (two failed zod parses, each building an issue list), and then validates a
 * 2026-07-28 envelope with zod again: about a fifth of the CPU of a 2026-07-28 tool call here.
 *
 * - 2025: a JSON-RPC request with no `_meta` protocol-version claim and no 2026+
 *   `MCP-Protocol-Version` header is always 2025 traffic by its rules ("body-primary": no claim
 *   means legacy; `initialize` is refused only under a modern header), answered here with the
 *   outcome the classifier would give.
 * - 2026-07-28: a JSON-RPC request (no `result`/`error` member, not `initialize`) whose envelope
 *   claims 2026-07-28, whose headers agree with the body, and whose `_meta` is one the classifier
 *   has already accepted (remembered by its JSON, the SDK's verdict and never a check of our own)
 *   is modern traffic; a client sends the same envelope on every request, so only its first
 *   request pays for the classifier (one whose `_meta` changes per request, with a progress token
 *   or a trace id, pays on each, as before).
 *
 * Everything else goes to the classifier. test/seams.contract.test.ts compares both on a table of
 * requests, each asked twice.
 */
export function classifyRequest(inbound: InboundHttpRequest): InboundClassificationOutcome {
  const { body } = inbound;
  const header = stripOws(inbound.protocolVersionHeader);
  const meta = envelopeOf(body);
  if (meta === undefined) {
    if ((header === undefined || header < FIRST_MODERN_REVISION) && isJSONRPCRequest(body)) return legacyOutcome(body, header);
    return classifyInboundRequest(inbound);
  }
  const envelope = JSON.stringify(meta);
  const known = knownModernRequest(inbound, body, meta, envelope, header);
  if (known) return known;
  const outcome = classifyInboundRequest(inbound);
  if (outcome.kind === 'modern' && outcome.messageKind === 'request' && envelope.length <= MAX_REMEMBERED_ENVELOPE_CHARS) acceptedEnvelopes.set(envelope, true);
  return outcome;
}

/** The classifier's answer for a request it would call 2025 traffic with no claim. */
function legacyOutcome(body: { method: string; params?: Record<string, unknown> | undefined }, header: string | undefined): InboundClassificationOutcome {
  if (body.method === 'initialize') {
    const requested = body.params?.['protocolVersion'];
    return { kind: 'legacy', reason: 'initialize', ...(typeof requested === 'string' ? { requestedVersion: requested } : {}) };
  }
  return { kind: 'legacy', reason: 'no-claim', ...(header !== undefined ? { requestedVersion: header } : {}) };
}

/** Envelopes the classifier accepted in a 2026-07-28 request, by their JSON; short ones only. */
const acceptedEnvelopes = new BoundedMap<string, true>(256);
const MAX_REMEMBERED_ENVELOPE_CHARS = 2048;

/** `envelope` is `meta` as JSON, the key it is remembered by. */
function knownModernRequest(inbound: InboundHttpRequest, body: unknown, meta: Record<string, unknown>, envelope: string, header: string | undefined): InboundClassificationOutcome | null {
  const claimed = meta[PROTOCOL_VERSION_META_KEY];
  if (claimed !== FIRST_MODERN_REVISION || (header !== undefined && header !== claimed)) return null;
  const record = body as Record<string, unknown>;
  if ('result' in record || 'error' in record || record['method'] === 'initialize') return null;
  const methodHeader = stripOws(inbound.mcpMethodHeader);
  if (methodHeader !== undefined && methodHeader !== record['method']) return null;
  if (!acceptedEnvelopes.has(envelope) || !isJSONRPCRequest(body)) return null;
  return { kind: 'modern', messageKind: 'request', message: body, classification: { era: 'modern', revision: claimed } };
}

/** `params._meta` when it carries the protocol-version claim. */
function envelopeOf(body: unknown): Record<string, unknown> | undefined {
  const params = isObject(body) ? body['params'] : undefined;
  const meta = isObject(params) ? params['_meta'] : undefined;
  return isObject(meta) && PROTOCOL_VERSION_META_KEY in meta ? meta : undefined;
}

function stripOws(value: string | undefined): string | undefined {
  return value?.replace(/^[ \t]+|[ \t]+$/g, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
