/**
 * Write Atrium plugins. This entry point is what a plugin's code imports; it is bundled into the
 * plugin's script and runs inside the sandbox, so it uses no Node.js API. Building, signing and
 * packing are in `@atrium/plugin-sdk/tooling`, the local test harness in `@atrium/plugin-sdk/testing`.
 *
 * @example
 * import { atrium, defineCapability, definePlugin } from '@atrium/plugin-sdk';
 *
 * const remember = defineCapability({
 *   input: { type: 'object', properties: { note: { type: 'string' } }, required: ['note'] },
 *   async handler(input) {
 *     await atrium.store.set(`note:${Date.now()}`, input.note);
 *     return { saved: true };
 *   },
 * });
 *
 * definePlugin({ capabilities: { remember } });
 */
import './global.ts';

export {
  type Capability,
  type CapabilityHandler,
  defineCapability,
  definePlugin,
  type HookHandler,
  type PluginContext,
  type PluginDefinition,
  type PluginEvent,
  type PluginRegistration,
} from './define.ts';
export { type AtriumHost, atrium, type HostRequestInit, type HostResponse, HostUnavailableError, type LogLevel, log } from './host.ts';
export { HttpError, type HttpRequest, type HttpResponse, http } from './http.ts';
export type * from './llm.ts';
export type * from './schema.ts';
