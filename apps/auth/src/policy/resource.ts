/**
 * RFC 8707 resource canonicalisation. The MCP server has one canonical URI (RESOURCE_URL); clients
 * send it verbatim, with a trailing slash added, or not at all (docs/clients.md §6). Every accepted
 * form binds to the canonical value, which is what lands in `aud`; nothing else is a valid target.
 */
export function resourceVariants(canonical: string): [string, string] {
  return [canonical, `${canonical}/`];
}

/** The canonical resource for an indicator, or undefined when the indicator names something else. */
export function canonicalResource(indicator: string, canonical: string): string | undefined {
  return resourceVariants(canonical).includes(indicator) ? canonical : undefined;
}
