// The image's HEALTHCHECK (no curl in the image): 0 when the server in this container answers
// /readyz with 200. The auth container sets AUTH_PORT, the mcp container MCP_PORT.
const port = process.env.AUTH_PORT ?? process.env.MCP_PORT ?? '4000';
fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2500) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
