import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, timeoutError } from './adapters/types.ts';
import type { ConnectionEntry, OrgGatewayConfig, RouteEntry } from './store.ts';

export interface Target {
  connection: ConnectionEntry;
  model: string;
  weight: number;
}

export interface Plan {
  /** The route's alias, or null for a direct `connection/model`. */
  route: RouteEntry | null;
  targets: Target[];
  strategy: 'fallback' | 'loadbalance';
  retries: number;
  timeoutMs: number;
}

const DEFAULT_TIMEOUT_MS = 600_000;
const UNSUPPORTED = new Set(['unsupported_endpoint', 'unsupported_parameter', 'unsupported_content']);
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

/**
 * Resolves what the client asked for: a route alias, or `connection/model` naming a connection
 * by name or id. A workspace may use the organisation's connections and its own.
 */
export function planFor(config: OrgGatewayConfig, requested: string, workspaceId: string | undefined): Plan {
  const usable = (connection: ConnectionEntry | undefined) =>
    connection?.enabled && (connection.workspaceId === null || connection.workspaceId === workspaceId) ? connection : undefined;
  const route = config.routes.get(requested);
  if (route) {
    const targets: Target[] = [];
    for (const target of route.targets) {
      const connection = usable(config.connectionsById.get(target.connection_id));
      if (connection) targets.push({ connection, model: target.model, weight: target.weight });
    }
    if (!targets.length) throw modelNotFound(requested, 'None of its providers is available to this workspace.');
    return { route, targets, strategy: route.strategy, retries: route.retries, timeoutMs: route.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  }
  const slash = requested.indexOf('/');
  if (slash > 0) {
    const name = requested.slice(0, slash);
    const connection = usable(config.connectionsByName.get(name) ?? config.connectionsById.get(name));
    if (connection) {
      return {
        route: null,
        targets: [{ connection, model: requested.slice(slash + 1), weight: 1 }],
        strategy: 'fallback',
        retries: 0,
        timeoutMs: DEFAULT_TIMEOUT_MS,
      };
    }
  }
  throw modelNotFound(requested);
}

function modelNotFound(model: string, why = 'Use `provider/model` (a connection name) or a route alias.'): GatewayError {
  return new GatewayError(
    404,
    'not_found_error',
    'model_not_found',
    `The model '${model}' does not exist or you do not have access to it. ${why}`,
    {
      param: 'model',
    },
  );
}

/** Targets in the order to try: as listed (fallback), or a weighted draw without replacement (loadbalance). */
export function orderTargets(plan: Plan, random: () => number = Math.random): Target[] {
  if (plan.strategy === 'fallback' || plan.targets.length < 2) return plan.targets;
  const pool = [...plan.targets];
  const ordered: Target[] = [];
  while (pool.length) {
    const total = pool.reduce((sum, target) => sum + Math.max(0, target.weight), 0);
    let draw = random() * total;
    let index = pool.findIndex((target) => {
      draw -= Math.max(0, target.weight);
      return draw < 0;
    });
    if (index === -1) index = 0;
    ordered.push(pool.splice(index, 1)[0]);
  }
  return ordered;
}

/**
 * A circuit breaker per target (connection + model), per process: after `threshold` failures in
 * a row the target is skipped for `cooldownMs`; then one call may probe it, and a success
 * closes the breaker again.
 */
export class Breakers {
  readonly #state = new Map<string, { failures: number; openUntil: number; probing: boolean }>();

  constructor(
    readonly threshold = 5,
    readonly cooldownMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  static keyOf(target: Target): string {
    return `${target.connection.id}/${target.model}`;
  }

  /** May this target be called now? A half-open breaker lets one probe through. */
  allows(key: string): boolean {
    const state = this.#state.get(key);
    if (!state || state.failures < this.threshold) return true;
    if (this.now() < state.openUntil || state.probing) return false;
    state.probing = true;
    return true;
  }

  success(key: string) {
    this.#state.delete(key);
  }

  failure(key: string) {
    const state = this.#state.get(key) ?? { failures: 0, openUntil: 0, probing: false };
    state.failures++;
    state.probing = false;
    if (state.failures >= this.threshold) state.openUntil = this.now() + this.cooldownMs;
    this.#state.set(key, state);
  }

  isOpen(key: string): boolean {
    const state = this.#state.get(key);
    return !!state && state.failures >= this.threshold && this.now() < state.openUntil;
  }
}

export interface AttemptResult<T> {
  value: T;
  target: Target;
  attempts: number;
}

/**
 * Calls targets in order until one answers: each gets `1 + retries` tries with jittered
 * exponential backoff, a timeout, and the breaker's say. Only retryable failures (429, 5xx,
 * timeouts, unreachable) move on; a 400 is the client's and comes straight back.
 */
export async function callWithFallback<T>(
  plan: Plan,
  breakers: Breakers,
  clientSignal: AbortSignal,
  call: (target: Target, signal: AbortSignal) => Promise<T>,
  /** Told of every try (the target and the tries so far), so a failure can still say who failed. */
  onAttempt?: (target: Target, attempts: number) => void,
  /** The value keeps reading upstream after the call returns (a stream): client aborts must still reach it. */
  streamsAfterReturn = false,
): Promise<AttemptResult<T>> {
  const order = orderTargets(plan);
  let attempts = 0;
  let lastError: unknown;
  for (const target of order) {
    const key = Breakers.keyOf(target);
    for (let attempt = 0; attempt <= plan.retries; attempt++) {
      if (!breakers.allows(key)) {
        lastError ??= new GatewayError(
          503,
          'server_error',
          'upstream_circuit_open',
          `${target.connection.name}/${target.model} is cooling down after repeated failures.`,
          {
            retryable: true,
          },
        );
        break;
      }
      if (attempt > 0) {
        const backoff = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
        await sleep(backoff / 2 + Math.random() * (backoff / 2), undefined, { signal: clientSignal }).catch(() => undefined);
      }
      if (clientSignal.aborted) throw new GatewayError(499, 'api_error', 'client_closed_request', 'The client closed the request.');
      attempts++;
      onAttempt?.(target, attempts);
      // One controller per try, aborted by its timeout or by the client going away (a listener is
      // far cheaper than AbortSignal.any on the hot path).
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(timeoutError(plan.timeoutMs)), plan.timeoutMs);
      const onClientAbort = () => controller.abort(clientSignal.reason);
      clientSignal.addEventListener('abort', onClientAbort, { once: true });
      try {
        const value = await call(target, controller.signal);
        breakers.success(key);
        // A stream keeps reading upstream after the call returned: the client link stays for it.
        if (!streamsAfterReturn) clientSignal.removeEventListener('abort', onClientAbort);
        return { value, target, attempts };
      } catch (error) {
        clientSignal.removeEventListener('abort', onClientAbort);
        lastError = error;
        // This target cannot do what was asked at all (embeddings on Anthropic, n > 1): the next may.
        const unsupported = error instanceof GatewayError && UNSUPPORTED.has(error.code) && order.at(-1) !== target;
        if (unsupported) break;
        const retryable = error instanceof GatewayError && error.retryable;
        if (!retryable || clientSignal.aborted) throw error;
        breakers.failure(key);
      } finally {
        clearTimeout(timer);
      }
    }
  }
  throw lastError ?? new GatewayError(502, 'server_error', 'upstream_error', 'No provider could answer.', { retryable: true });
}
