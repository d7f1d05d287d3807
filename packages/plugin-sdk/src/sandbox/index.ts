/**
 * The plugin sandbox: plugin bundles run untrusted in QuickJS (WebAssembly) with only the host
 * functions they were granted, in a pool of worker threads, each warm context in its own wasm
 * instance with capped memory, a stack limit and a deadline.
 *
 * @example
 * import { createSandbox, SandboxError } from '@atrium/plugin-sdk/sandbox';
 *
 * const sandbox = createSandbox();
 * const code = `globalThis.__atrium_plugin = { capabilities: {
 *   async greet(input) { return { text: 'hello ' + input.name, stored: await atrium.store.get('count') } },
 * } }`;
 * const result = await sandbox.invoke(
 *   { key: 'org_1:inst_1:abc123', code, kind: 'capability', name: 'greet', input: { name: 'Ada' }, host: ['store.get', 'log'] },
 *   async ({ fn, args }) => (fn === 'store.get' ? 3 : undefined),
 * ); // { text: 'hello Ada', stored: 3 }
 */
export { createSandbox } from './pool.ts';
export { DEFAULT_LIMITS } from './protocol.ts';
export {
  type HostCall,
  type Sandbox,
  SandboxError,
  type SandboxErrorCode,
  type SandboxInvocation,
  type SandboxLimits,
  type SandboxOptions,
  type SandboxStats,
} from './types.ts';
