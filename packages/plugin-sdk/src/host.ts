import { HOST_API, type HostFunction } from '@atrium/contracts/host-api';
import type { ChatCompletion, ChatCompletionRequest } from './llm.ts';
import type { JsonValue } from './schema.ts';

/**
 * The host API: what a plugin can do outside its sandbox. Every call crosses to the host as JSON
 * and answers a promise; the host enforces the manifest's permissions and the tenant's limits.
 *
 * @example
 * import { atrium } from '@atrium/plugin-sdk';
 * const seen = (await atrium.store.get<number>('seen')) ?? 0;
 * await atrium.store.set('seen', seen + 1);
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** An outgoing HTTP request; the body is text (serialise JSON yourself, or use `http.fetch`). */
export interface HostRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** An HTTP response as the host answers it: plain JSON, header names in lower case. */
export interface HostResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The global `atrium` object inside the sandbox. Only the functions the manifest's permissions
 * grant exist there (`log` always does); the permission each needs is in contracts' `HOST_API`.
 *
 * @example
 * await atrium.emit('report.ready', { report_id: 'r_1' }); // published as plugin.<id>.report.ready
 */
export interface AtriumHost {
  /** `network:<host>`: an HTTP request to a host the manifest lists (`*.example.com` for subdomains). */
  fetch(url: string, init?: HostRequestInit): Promise<HostResponse>;
  /** The installation's own key-value store. `data:write` includes reading. */
  store: {
    /** `data:read`: the stored value, or `null` when there is none. `T` is not checked: narrow untrusted data. */
    get<T extends JsonValue = JsonValue>(key: string): Promise<T | null>;
    /** `data:read`: the first 100 entries whose keys start with `prefix` (all without one), by key. */
    list(prefix?: string): Promise<Array<{ key: string; value: JsonValue }>>;
    /** `data:write`: stores a JSON value (at most 64 KiB) under `key` (1 to 256 characters). */
    set(key: string, value: JsonValue): Promise<void>;
    /** `data:write`: removes the key; answers whether it existed. */
    delete(key: string): Promise<boolean>;
  };
  secrets: {
    /** `secrets`: the value of a secret setting of this installation, or `null` when unset. */
    get(key: string): Promise<string | null>;
  };
  llm: {
    /** `llm`: a chat completion through the organisation's gateway, metered like any other call. */
    chat(request: ChatCompletionRequest): Promise<ChatCompletion>;
  };
  /** `events:emit`: publishes the domain event `plugin.<plugin id>.<type>`. */
  emit(type: string, payload: Record<string, JsonValue>): Promise<void>;
  /** Always granted: a line in the installation's log. Fire and forget: it answers nothing. */
  log(level: LogLevel, message: string, fields?: Record<string, JsonValue>): void;
}

// The zod-free module of contracts: nothing but this table lands in a plugin bundle.
const PERMISSIONS = HOST_API;

/**
 * A host function that is not there: the manifest does not grant its permission (or the code runs
 * outside the sandbox).
 *
 * @example
 * try { await atrium.fetch(url) } catch (error) {
 *   if (error instanceof HostUnavailableError) atrium.log('warn', error.message);
 * }
 */
export class HostUnavailableError extends Error {
  readonly code = 'host_unavailable';
  readonly permission: string | null;

  constructor(readonly hostFunction: HostFunction) {
    const permission = PERMISSIONS[hostFunction];
    const names: Record<string, string> = { 'network:': 'network:<host>', 'data:read': 'data:read (or data:write)' };
    const needed = permission === null ? '' : `; it needs the permission ${names[permission] ?? permission}`;
    super(`atrium.${hostFunction} is not available${needed}`);
    this.name = 'HostUnavailableError';
    this.permission = permission;
  }
}

type AnyFunction = (...args: any[]) => any;

/** Looks the function up on the global at each call, so the import works before the host is set. */
function hostFunction<F extends AnyFunction>(name: HostFunction): F {
  const path = name.split('.');
  const call = (...args: unknown[]) => {
    let owner: unknown;
    let target: unknown = (globalThis as { atrium?: AtriumHost }).atrium;
    for (const part of path) {
      owner = target;
      target = target !== null && typeof target === 'object' ? (target as Record<string, unknown>)[part] : undefined;
    }
    if (typeof target !== 'function') return Promise.reject(new HostUnavailableError(name));
    return (target as AnyFunction).apply(owner, args);
  };
  return call as F;
}

/**
 * The host API, typed. Each call is forwarded to the sandbox's global `atrium`; a function the
 * manifest does not grant rejects with `HostUnavailableError` naming the permission it needs.
 *
 * @example
 * import { atrium } from '@atrium/plugin-sdk';
 * const token = await atrium.secrets.get('api_token');
 * const response = await atrium.fetch('https://api.example.com/v1/items', { headers: { authorization: `Bearer ${token}` } });
 */
export const atrium: AtriumHost = {
  fetch: hostFunction('fetch'),
  store: {
    get: hostFunction('store.get'),
    list: hostFunction('store.list'),
    set: hostFunction('store.set'),
    delete: hostFunction('store.delete'),
  },
  secrets: { get: hostFunction('secrets.get') },
  llm: { chat: hostFunction('llm.chat') },
  emit: hostFunction('emit'),
  // Logging never fails the plugin: outside the sandbox (a unit test calling a handler) it is a no-op.
  log: (level, message, fields) => {
    (globalThis as { atrium?: AtriumHost }).atrium?.log?.(level, message, fields);
  },
};

/**
 * Shorthands for `atrium.log` (fire and forget). Inside the sandbox `console.log` and friends
 * write to the same log.
 *
 * @example
 * log.info('synced', { items: 12 });
 */
export const log = {
  debug: (message: string, fields?: Record<string, JsonValue>) => atrium.log('debug', message, fields),
  info: (message: string, fields?: Record<string, JsonValue>) => atrium.log('info', message, fields),
  warn: (message: string, fields?: Record<string, JsonValue>) => atrium.log('warn', message, fields),
  error: (message: string, fields?: Record<string, JsonValue>) => atrium.log('error', message, fields),
};
