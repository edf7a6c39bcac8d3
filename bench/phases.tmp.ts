import { readFileSync } from 'node:fs';
type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] };
const p = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const rules: Array<[string, (fn: string, url: string) => boolean]> = [
  ['socket write', (f) => f === 'writev' || f === 'writevGeneric'],
  ['json body parse', (f) => f === 'defaultJsonParser'],
  ['sdk zod result/request parse', (f, u) => f === 'safeParse' && u.includes('modelcontextprotocol')],
  ['sdk onmessage guards', (f, u) => (f.startsWith('isJSONRPC')) && u.includes('modelcontextprotocol')],
  ['sdk protocol', (f, u) => u.includes('modelcontextprotocol')],
  ['our transport', (f) => f === 'dispatch' || f === 'send'],
  ['auth hook', (f) => f === 'verify' || f === 'extractBearerToken' || f === 'checkRequestOrigin'],
  ['fastify reply', (f, u) => u.includes('fastify/lib/reply')],
  ['fastify routing/hooks', (f, u) => u.includes('fastify') || u.includes('find-my-way')],
  ['node http', (f, u) => u.startsWith('node:')],
];
const total = new Map<string, number>(); let all = 0;
p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0; all += dt;
  const self = byId.get(id)!.callFrame.functionName;
  let label = self.startsWith('(') ? self : 'other';
  if (!self.startsWith('(') || self === '(garbage collector)') {
    outer: for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url } = byId.get(at)!.callFrame;
      for (const [name, test] of rules) if (test(functionName, url)) { label = name; break outer; }
    }
  }
  total.set(label, (total.get(label) ?? 0) + dt);
});
for (const [k, v] of [...total].sort((a, b) => b[1] - a[1])) console.log(((v / all) * 100).toFixed(1).padStart(5) + '%', k);
