// Baseline (a): the ceiling of this machine for a JSON POST in Fastify, with no auth and no MCP.
import Fastify from 'fastify';
import { benchPort, serveBenchIpc } from './server-ipc.js';

const app = Fastify({ logger: false });
app.post('/mcp', async () => ({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'ok' }] } }));

const port = benchPort();
await app.listen({ host: '127.0.0.1', port });
serveBenchIpc(port, () => app.close());
