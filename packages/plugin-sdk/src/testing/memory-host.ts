import type { HostFunction, PluginManifest } from '@atrium/contracts';
import type { HostRequestInit, HostResponse, LogLevel } from '../host.ts';
import type { ChatCompletion, ChatCompletionRequest } from '../llm.ts';
import type { JsonValue } from '../schema.ts';
import { grantedHostFunctions, networkAllowed } from '../tooling/permissions.ts';

/** Answers the plugin's `atrium.fetch` calls in tests. */
export type FetchHandler = (
  url: string,
  init: Required<Pick<HostRequestInit, 'method' | 'headers'>> & HostRequestInit,
) => HostResponse | Promise<HostResponse>;
/** Answers the plugin's `atrium.llm.chat` calls in tests. */
export type LlmHandler = (request: ChatCompletionRequest) => ChatCompletion | Promise<ChatCompletion>;

/** A line the plugin logged (`atrium.log`, `log.*` or `console.*`). */
export interface LogEntry {
  level: LogLevel;
  message: string;
  fields: Record<string, JsonValue>;
}

/** An event the plugin emitted, as the server would publish it. */
export interface EmittedEvent {
  /** As published: `plugin.<plugin id>.<type>`. */
  type: string;
  payload: Record<string, JsonValue>;
}

/** A fetch the plugin attempted; `allowed` says whether the manifest permitted it. */
export interface FetchRecord {
  url: string;
  init: HostRequestInit;
  allowed: boolean;
}

/** Why the in-memory host refused a call. */
export type HostCallErrorCode = 'permission_denied' | 'invalid_arguments' | 'unavailable';

/**
 * A host call the host refused; inside the plugin, the call's promise rejects with its message.
 *
 * @example
 * catch (error) { if (error instanceof HostCallError && error.code === 'permission_denied') … }
 */
export class HostCallError extends Error {
  constructor(
    readonly code: HostCallErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HostCallError';
  }
}

// The server's limits, so a plugin that passes here is not refused there.
const LEVELS = new Set(['debug', 'info', 'warn', 'error']);
const EVENT_TYPE = /^[a-z0-9_.-]{1,64}$/;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
const MAX_KEY = 256;
const MAX_VALUE = 64 * 1024;
const MAX_LIST = 100;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const invalid = (message: string) => new HostCallError('invalid_arguments', message);

function storeKey(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_KEY)
    throw invalid(`a store key is a string of 1 to ${MAX_KEY} characters`);
  return value;
}

/** A deep copy that is plain JSON: what crossing to a real host would leave of the value. */
function asJson<T>(value: unknown, name: string, maxLength = Number.POSITIVE_INFINITY): T {
  const text = value === undefined ? undefined : JSON.stringify(value);
  if (text === undefined) throw invalid(`${name} must be JSON`);
  if (text.length > maxLength) throw invalid(`${name} is larger than ${maxLength / 1024} KiB of JSON`);
  return JSON.parse(text) as T;
}

function requestInit(value: unknown): Required<Pick<HostRequestInit, 'method' | 'headers'>> & HostRequestInit {
  if (value === undefined) return { method: 'GET', headers: {} };
  if (!isRecord(value)) throw invalid('fetch init must be an object');
  const headers = value.headers ?? {};
  if (!isRecord(headers) || !Object.values(headers).every((header) => typeof header === 'string')) {
    throw invalid('fetch init.headers must map names to strings');
  }
  if (value.body !== undefined && typeof value.body !== 'string') throw invalid('fetch init.body must be a string');
  const method = typeof value.method === 'string' ? value.method.toUpperCase() : 'GET';
  if (!METHODS.has(method)) throw invalid(`method ${String(value.method)} is not allowed`);
  return { method, headers: headers as Record<string, string>, body: value.body };
}

/** The real network, without following redirects (a redirect could leave the allowed hosts). */
const networkFetch: FetchHandler = async (url, init) => {
  const response = await fetch(url, { method: init.method, headers: init.headers, body: init.body, redirect: 'manual' });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
};

/** The manifest whose permissions apply, and what the host answers. */
export interface MemoryHostOptions {
  manifest: PluginManifest;
  /** The installation the calls come from: its ids go into emitted payloads. */
  scope: { workspace_id: string; installation_id: string };
  secrets?: Record<string, string>;
  /** Default: the real network (only to hosts the manifest allows). */
  fetch?: FetchHandler;
  llm?: LlmHandler;
}

/**
 * The host API in memory, enforcing the manifest's permissions as the server does: only granted
 * functions, `fetch` only to `network:` hosts, JSON in and out.
 *
 * @example
 * const host = createMemoryHost({ manifest, scope: { workspace_id: 'ws_1', installation_id: 'pin_1' } });
 * await host.call({ fn: 'store.set', args: ['k', 1] });
 * host.store.get('k'); // 1
 */
export function createMemoryHost(options: MemoryHostOptions) {
  const { manifest } = options;
  const granted = grantedHostFunctions(manifest.permissions);
  const store = new Map<string, JsonValue>();
  const secrets = new Map(Object.entries(options.secrets ?? {}));
  const emitted: EmittedEvent[] = [];
  const logs: LogEntry[] = [];
  const fetched: FetchRecord[] = [];
  const { scope } = options;

  const implementations: Record<HostFunction, (args: unknown[]) => Promise<unknown>> = {
    async fetch([url, init]) {
      if (typeof url !== 'string') throw invalid('fetch(url, init) needs a string URL');
      const request = requestInit(init);
      const allowed = networkAllowed(manifest.permissions, url);
      fetched.push({ url, init: request, allowed });
      if (!allowed) {
        const hosts = manifest.permissions.filter((permission) => permission.startsWith('network:')).join(', ') || 'no network access';
        throw new HostCallError('permission_denied', `fetch to ${url} is not allowed: the manifest grants ${hosts}`);
      }
      const response = await (options.fetch ?? networkFetch)(url, request);
      return asJson<HostResponse>(response, 'the fetch handler’s response');
    },
    async 'store.get'([key]) {
      return store.get(storeKey(key)) ?? null;
    },
    async 'store.list'([prefix]) {
      const start = typeof prefix === 'string' ? prefix : '';
      return [...store.entries()]
        .filter(([key]) => key.startsWith(start))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, MAX_LIST)
        .map(([key, value]) => ({ key, value }));
    },
    async 'store.set'([key, value]) {
      store.set(storeKey(key), asJson<JsonValue>(value ?? null, 'a stored value', MAX_VALUE));
      return true;
    },
    async 'store.delete'([key]) {
      return store.delete(storeKey(key));
    },
    async 'secrets.get'([key]) {
      if (typeof key !== 'string') throw invalid('secrets.get(key) needs a string key');
      return secrets.get(key) ?? null;
    },
    async 'llm.chat'([request]) {
      if (!isRecord(request) || typeof request.model !== 'string' || !Array.isArray(request.messages)) {
        throw invalid('llm.chat needs { model, messages }');
      }
      if (!options.llm) throw new HostCallError('unavailable', 'no llm handler: pass llm to createHarness');
      return asJson(await options.llm(asJson<ChatCompletionRequest>(request, 'the request')), 'the llm handler’s completion');
    },
    async emit([type, payload]) {
      if (typeof type !== 'string' || !EVENT_TYPE.test(type)) throw invalid('emit(type, payload): type must be 1 to 64 of a-z, 0-9, _ . -');
      const data = asJson<JsonValue>(payload ?? {}, 'the payload', MAX_VALUE);
      // As the server publishes it: the installation's ids added, a non-object payload wrapped.
      emitted.push({
        type: `plugin.${manifest.id}.${type}`,
        payload: { ...(isRecord(data) ? (data as Record<string, JsonValue>) : { value: data }), ...scope },
      });
      return null;
    },
    async log([level, message, fields]) {
      logs.push({
        level: typeof level === 'string' && LEVELS.has(level) ? (level as LogLevel) : 'info',
        message: typeof message === 'string' ? message : JSON.stringify(message),
        fields: isRecord(fields) ? asJson(fields, 'the fields') : {},
      });
      return null;
    },
  };

  return {
    granted,
    store,
    secrets,
    emitted,
    logs,
    fetched,
    /** What the sandbox's `onHost` calls. */
    async call({ fn, args }: { fn: string; args: unknown[] }): Promise<unknown> {
      if (!(granted as string[]).includes(fn)) {
        throw new HostCallError('permission_denied', `atrium.${fn} is not granted by the manifest's permissions`);
      }
      return implementations[fn as HostFunction](args);
    },
  };
}

/** An in-memory host (see `createMemoryHost`). */
export type MemoryHost = ReturnType<typeof createMemoryHost>;
