/**
 * The host API a plugin's code sees as the global `atrium`: each function with the permission
 * that grants it (null: always there). Declared here, without zod, so plugin bundles can import it
 * (`@atrium/contracts/host-api`) and the SDK, the server and the docs agree.
 */
export const HOST_API = {
  fetch: 'network:',
  'store.get': 'data:read',
  'store.list': 'data:read',
  'store.set': 'data:write',
  'store.delete': 'data:write',
  'secrets.get': 'secrets',
  'llm.chat': 'llm',
  emit: 'events:emit',
  log: null,
} as const;
export type HostFunction = keyof typeof HOST_API;
