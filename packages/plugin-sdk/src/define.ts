import type { FromSchema, JsonSchemaDefinition } from './schema.ts';

/** What the host tells a handler about the call; settings are the installation's non-secret ones. */
export interface PluginContext {
  workspace_id: string;
  installation_id: string;
  plugin_id: string;
  settings: Record<string, string | number | boolean>;
}

/** A domain event delivered to a hook (`type` matches one of the manifest's `hooks`). */
export interface PluginEvent<Payload = Record<string, unknown>> {
  id: string;
  type: string;
  payload: Payload;
  created_at: string;
}

type MaybePromise<T> = T | Promise<T>;

/** A capability's handler: JSON in, JSON (or nothing) out, possibly asynchronously. */
export type CapabilityHandler<Input = any, Output = unknown> = (input: Input, context: PluginContext) => MaybePromise<Output>;
/** A hook: called once per matching domain event; its return value is ignored. */
export type HookHandler = (event: PluginEvent, context: PluginContext) => MaybePromise<void>;

/** A capability: its schemas (the same as in the manifest) and its handler. */
export interface Capability<Input = any, Output = unknown> {
  input: JsonSchemaDefinition;
  output?: JsonSchemaDefinition;
  handler: CapabilityHandler<Input, Output>;
}

type OutputOf<Schema> = Schema extends JsonSchemaDefinition ? FromSchema<Schema> : unknown;

/**
 * Declares a capability whose handler's input (and output, when there is an output schema) is
 * typed from its JSON Schemas. Keep the schemas equal to the manifest's: the host validates the
 * input against the manifest before the handler runs, and the output after.
 *
 * @example
 * export const forecast = defineCapability({
 *   input: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
 *   output: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'] },
 *   async handler(input, context) {
 *     return { summary: `Sunny in ${input.city} for ${context.workspace_id}` };
 *   },
 * });
 */
export function defineCapability<
  const InputSchema extends JsonSchemaDefinition,
  const OutputSchema extends JsonSchemaDefinition | undefined = undefined,
>(definition: {
  input: InputSchema;
  output?: OutputSchema;
  handler(input: FromSchema<InputSchema>, context: PluginContext): MaybePromise<OutputOf<OutputSchema>>;
}): Capability<FromSchema<InputSchema>, OutputOf<OutputSchema>> {
  return definition;
}

/** What `definePlugin` takes: capabilities by the manifest's names, hooks by its event types. */
export interface PluginDefinition {
  capabilities?: Record<string, Capability | CapabilityHandler>;
  hooks?: Record<string, HookHandler>;
}

/** What the sandbox calls: `capabilities[name](input, context)`, `hooks[type](event, context)`. */
export interface PluginRegistration {
  capabilities: Record<string, CapabilityHandler>;
  hooks: Record<string, HookHandler>;
}

/**
 * Registers the plugin's code with the host: sets `globalThis.__atrium_plugin` and answers it.
 * Call it once, at the top level of `src/index.ts`. Capability names and hook event types must be
 * the ones the manifest declares.
 *
 * @example
 * import { atrium, definePlugin } from '@atrium/plugin-sdk';
 * import { forecast } from './forecast.ts';
 *
 * definePlugin({
 *   capabilities: { forecast },
 *   hooks: { 'workspace.created': async (event) => { await atrium.store.set(`ws:${event.payload.workspace_id}`, true) } },
 * });
 */
export function definePlugin(definition: PluginDefinition): PluginRegistration {
  const capabilities: Record<string, CapabilityHandler> = {};
  for (const [name, capability] of Object.entries(definition.capabilities ?? {})) {
    const handler = typeof capability === 'function' ? capability : capability?.handler;
    if (typeof handler !== 'function') throw new TypeError(`capability ${name} has no handler`);
    capabilities[name] = handler;
  }
  const hooks: Record<string, HookHandler> = {};
  for (const [type, hook] of Object.entries(definition.hooks ?? {})) {
    if (typeof hook !== 'function') throw new TypeError(`hook ${type} is not a function`);
    hooks[type] = hook;
  }
  const registration: PluginRegistration = { capabilities, hooks };
  (globalThis as { __atrium_plugin?: PluginRegistration }).__atrium_plugin = registration;
  return registration;
}
