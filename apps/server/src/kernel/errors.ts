/**
 * Every error a client may see is an AppError with a stable `code`. Exactly one handler
 * (kernel/http/errors.ts) turns them into the envelope; anything else becomes a generic 500.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'idempotency_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'server_error'
  | 'api_error';

export interface AppErrorOptions {
  param?: string;
  headers?: Record<string, string>;
  retryable?: boolean;
  /** A 5xx whose message is safe to show (an upstream provider's own words), not an internal failure. */
  expose?: boolean;
  /** Machine-readable facts about the error, added to the envelope's `error` object (and to its root with `atRoot`). */
  details?: Record<string, unknown>;
  atRoot?: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  readonly param?: string;
  readonly headers?: Record<string, string>;
  readonly retryable: boolean;
  readonly expose: boolean;
  readonly details?: Record<string, unknown>;
  readonly atRoot: boolean;

  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.param = options.param;
    this.headers = options.headers;
    this.retryable = options.retryable ?? false;
    this.expose = options.expose ?? status < 500;
    this.details = options.details;
    this.atRoot = options.atRoot ?? false;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, param?: string, code = 'invalid_value') {
    super(400, 'invalid_request_error', code, message, { param });
  }
}

export class AuthenticationError extends AppError {
  constructor(message = 'Authentication required.', code = 'unauthenticated') {
    super(401, 'authentication_error', code, message);
  }
}

export class PermissionError extends AppError {
  constructor(message: string, code = 'forbidden') {
    super(403, 'permission_error', code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, code = 'not_found') {
    super(404, 'not_found_error', code, `${what} not found.`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict', param?: string) {
    super(409, 'conflict_error', code, message, { param });
  }
}

export class RateLimitError extends AppError {
  constructor(message: string, retryAfterSeconds: number, code = 'rate_limited') {
    super(429, 'rate_limit_error', code, message, {
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
      retryable: true,
    });
  }
}

/**
 * A hard quota of the organisation's plan is used up: 402 with what was used, the limit and where
 * to upgrade. The facts are also at the envelope's root (`code`, `used`, `limit`, `upgrade_url`)
 * so a client can read them without knowing the envelope.
 */
export class QuotaExceededError extends AppError {
  constructor(input: { metric: string; used: number; limit: number; upgradeUrl: string; resetsAt?: Date | null }) {
    super(
      402,
      'insufficient_quota',
      'quota_exceeded',
      `The plan's ${input.metric} quota is used up (${input.used} of ${input.limit}). Upgrade to continue.`,
      {
        details: {
          metric: input.metric,
          used: input.used,
          limit: input.limit,
          upgrade_url: input.upgradeUrl,
          ...(input.resetsAt ? { resets_at: input.resetsAt.toISOString() } : {}),
        },
        atRoot: true,
      },
    );
  }
}

/** The organisation may read but not change anything: its trial ended or its payment is overdue past the grace period. */
export class RestrictedError extends AppError {
  constructor(reason: string, upgradeUrl: string) {
    super(402, 'insufficient_quota', 'organization_restricted', reason, { details: { upgrade_url: upgradeUrl }, atRoot: true });
  }
}

/** The PostgreSQL error code of a (possibly wrapped) driver error, e.g. `23505`. */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A problem an operator must fix before the server can start; printed without a stack trace. */
export class StartupError extends Error {}
