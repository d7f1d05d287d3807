/** What a rate-limit check decided. */
export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/** One counter of an atomic `consume`: passes when `value + need <= limit`; then `add` is added. */
export interface CounterCheck {
  key: string;
  limit: number;
  need: number;
  add: number;
  /** The expiry a new counter gets. */
  ttlMs: number;
}

export type ConsumeResult = { ok: true; values: number[] } | { ok: false; index: number; value: number; resetMs: number };

/**
 * The one cache interface: Redis when `REDIS_URL` is set (shared by every node), memory
 * otherwise (one process). Values are strings; callers serialise.
 */
export interface Cache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when the key is absent; true when it was set. Cache fills use this so they cannot overwrite an invalidation. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  /** Atomically adds `by`; the TTL starts with the first increment. Returns the new value. */
  incr(key: string, by?: number, ttlMs?: number): Promise<number>;
  /** Fixed-window limiter: at most `limit` hits per `windowMs` for `key`. */
  rateLimit(key: string, limit: number, windowMs: number): Promise<RateLimitResult>;
  /**
   * Checks every counter and, only if all pass, adds to each: one atomic step across all nodes
   * (a Lua script on Redis). Limits and budgets use it so concurrent requests cannot overshoot.
   */
  consume(checks: CounterCheck[]): Promise<ConsumeResult>;
  publish(channel: string, message: string): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
