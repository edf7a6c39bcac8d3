// oidc-provider's development adapter (lib/adapters/memory_adapter.js) has no published types.
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  export function createMemoryAdapter(clockTolerance?: number): unknown;
}
