import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * Every configuration variable Atrium reads. docs/operations.md documents each one; keep the two
 * in step. Only this file reads `process.env`.
 */
export const configSchema = z.object({
  ATRIUM_MODE: z.enum(['all', 'api', 'worker']).default('all'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ATRIUM_PUBLIC_URL: z.url().optional(),
  ATRIUM_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  REDIS_URL: z.string().url().optional(),
  ATRIUM_MASTER_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded')
    .optional(),
  ATRIUM_ALLOW_PRIVATE_NETWORKS: bool.optional(),
  SMTP_URL: z.string().url().optional(),
  SMTP_FROM: z.string().default('Atrium <no-reply@atrium.local>'),
  ATRIUM_ACCESS_TOKEN_TTL: z.coerce.number().int().min(30).default(900),
  ATRIUM_REFRESH_TOKEN_TTL: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 24 * 3600),
  ATRIUM_INVITATION_TTL: z.coerce
    .number()
    .int()
    .min(300)
    .default(7 * 24 * 3600),
  ATRIUM_SCRYPT_COST: z.coerce
    .number()
    .int()
    .refine((value) => value >= 1024 && (value & (value - 1)) === 0, 'must be a power of two ≥ 1024')
    .default(16384),
  ATRIUM_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  ATRIUM_COOKIE_SECURE: bool.optional(),
  ATRIUM_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).default(365),
  ATRIUM_REQUEST_BODY_RETENTION_DAYS: z.coerce.number().int().min(0).default(30),
  ATRIUM_OPERATOR_EMAILS: z.string().optional(),
  ATRIUM_BILLING_ISSUER: z.string().min(1).max(200).default('Atrium'),
  ATRIUM_BILLING_ISSUER_ADDRESS: z.string().max(500).optional(),
  ATRIUM_INVOICE_PREFIX: z
    .string()
    .regex(/^[A-Z0-9-]{1,12}$/, 'uppercase letters, digits and dashes')
    .default('ATR'),
  ATRIUM_BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  ATRIUM_INVOICE_NET_DAYS: z.coerce.number().int().min(0).max(90).default(14),
  STRIPE_SECRET_KEY: z.string().startsWith('sk_').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
  STRIPE_API_BASE: z.url().optional(),
  ATRIUM_PLUGIN_TRUSTED_KEYS: z
    .string()
    .regex(
      /^\s*[\w.-]{1,100}:[A-Za-z0-9+/]{43}=\s*(,\s*[\w.-]{1,100}:[A-Za-z0-9+/]{43}=\s*)*$/,
      'comma-separated key-id:base64-public-key pairs (from `atrium plugin keygen`)',
    )
    .optional(),
  ATRIUM_PLUGIN_MEMORY_MB: z.coerce.number().int().min(8).max(1024).default(64),
  ATRIUM_PLUGIN_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5000),
  ATRIUM_PLUGIN_WORKERS: z.coerce.number().int().min(1).max(64).default(2),
  ATRIUM_PLUGIN_CATALOG_DIR: z.string().optional(),
  ATRIUM_PLUGIN_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1000).default(5),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ATRIUM_WEB_DIST: z.string().optional(),
  ATRIUM_PROCESSES: z.coerce.number().int().min(1).max(256).optional(),
  ATRIUM_SHARED_PROVIDERS_FILE: z.string().optional(),
});

/** One provider connection the operator offers to organisations (ATRIUM_SHARED_PROVIDERS_FILE). */
const sharedProviderSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][\w.-]{0,63}$/, 'letters, digits, dot, dash, underscore'),
    type: z.enum(['openai', 'azure-openai', 'anthropic', 'gemini', 'openai-compatible']),
    base_url: z.url().optional(),
    api_key: z.string().min(1).optional(),
    /** The name of an environment variable holding the key (keeps the secret out of the file). */
    api_key_env: z.string().min(1).optional(),
    api_version: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    models: z.array(z.string().min(1)).optional(),
    organizations: z.union([z.literal('*'), z.array(z.string().min(1))]).default('*'),
  })
  .strict();

export interface SharedProvider {
  name: string;
  type: 'openai' | 'azure-openai' | 'anthropic' | 'gemini' | 'openai-compatible';
  baseUrl: string | undefined;
  apiKey: string | undefined;
  apiVersion: string | undefined;
  headers: Record<string, string> | undefined;
  models: string[] | undefined;
  /** `*` or the organisation ids it is offered to. */
  organizations: '*' | string[];
}

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  mode: 'all' | 'api' | 'worker';
  host: string;
  port: number;
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  redisUrl: string | undefined;
  masterKey: string | undefined;
  allowPrivateNetworks: boolean;
  smtpUrl: string | undefined;
  smtpFrom: string;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  invitationTtl: number;
  scryptCost: number;
  loginMaxFailures: number;
  /** Days audit entries are kept (0: forever). Plans will override it per organisation. */
  auditRetentionDays: number;
  /** Days kept gateway request and response bodies live (0: forever); usage rows are not affected. */
  requestBodyRetentionDays: number;
  /** Users with these (lower-cased) emails operate the platform: plans, revenue, credits, marking invoices paid. */
  operatorEmails: string[];
  billing: {
    issuer: string;
    issuerAddress: string | undefined;
    invoicePrefix: string;
    /** Days an overdue organisation keeps full access before it becomes read-only. */
    graceDays: number;
    /** Days a manually paid invoice is due after it is issued. */
    netDays: number;
    /** Stripe, when both secrets are set; otherwise invoices are marked paid by an operator. */
    stripe: { secretKey: string; webhookSecret: string; apiBase: string | undefined } | undefined;
  };
  plugins: {
    /** Publisher key id → base64 raw ed25519 public key. */
    trustedKeys: Record<string, string>;
    memoryBytes: number;
    deadlineMs: number;
    workers: number;
    /** Consecutive failed calls after which an installation is disabled. */
    failureLimit: number;
    /** First-party plugins offered to every organisation: one directory per plugin. */
    catalogDir: string;
  };
  cookieSecure: boolean;
  logLevel: RawConfig['LOG_LEVEL'];
  webDist: string | undefined;
  /**
   * HTTP processes sharing the port. Default: one per core when the state is shared (PostgreSQL
   * and Redis); always one on the embedded database, which one process owns.
   */
  processes: number;
  /** Why `processes` is lower than asked, if it is. */
  processesNote: string | undefined;
  /** Provider connections the operator shares with organisations. */
  sharedProviders: SharedProvider[];
}

export class ConfigError extends Error {}

/** Parses the environment once. Throws a ConfigError naming every invalid variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // `PORT=` in a .env file means "not set", as it does for every other variable.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const raw = result.data;
  const embedded = raw.DATABASE_URL === undefined;
  return Object.freeze({
    mode: raw.ATRIUM_MODE,
    host: raw.HOST,
    port: raw.PORT,
    publicUrl: raw.ATRIUM_PUBLIC_URL?.replace(/\/$/, ''),
    dataDir: resolve(raw.ATRIUM_DATA_DIR),
    databaseUrl: raw.DATABASE_URL,
    databasePoolSize: raw.DATABASE_POOL_SIZE,
    redisUrl: raw.REDIS_URL,
    masterKey: raw.ATRIUM_MASTER_KEY,
    // A laptop talking to a local model server needs private networks; a shared deployment must not.
    allowPrivateNetworks: raw.ATRIUM_ALLOW_PRIVATE_NETWORKS ?? embedded,
    smtpUrl: raw.SMTP_URL,
    smtpFrom: raw.SMTP_FROM,
    accessTokenTtl: raw.ATRIUM_ACCESS_TOKEN_TTL,
    refreshTokenTtl: raw.ATRIUM_REFRESH_TOKEN_TTL,
    invitationTtl: raw.ATRIUM_INVITATION_TTL,
    scryptCost: raw.ATRIUM_SCRYPT_COST,
    loginMaxFailures: raw.ATRIUM_LOGIN_MAX_FAILURES,
    auditRetentionDays: raw.ATRIUM_AUDIT_RETENTION_DAYS,
    requestBodyRetentionDays: raw.ATRIUM_REQUEST_BODY_RETENTION_DAYS,
    operatorEmails: (raw.ATRIUM_OPERATOR_EMAILS ?? '')
      .split(',')
      .map((email) => email.trim().toLowerCase())
      .filter(Boolean),
    billing: {
      issuer: raw.ATRIUM_BILLING_ISSUER,
      issuerAddress: raw.ATRIUM_BILLING_ISSUER_ADDRESS,
      invoicePrefix: raw.ATRIUM_INVOICE_PREFIX,
      graceDays: raw.ATRIUM_BILLING_GRACE_DAYS,
      netDays: raw.ATRIUM_INVOICE_NET_DAYS,
      stripe:
        raw.STRIPE_SECRET_KEY && raw.STRIPE_WEBHOOK_SECRET
          ? { secretKey: raw.STRIPE_SECRET_KEY, webhookSecret: raw.STRIPE_WEBHOOK_SECRET, apiBase: raw.STRIPE_API_BASE }
          : undefined,
    },
    plugins: {
      trustedKeys: Object.fromEntries(
        (raw.ATRIUM_PLUGIN_TRUSTED_KEYS ?? '')
          .split(',')
          .map((pair) => pair.trim())
          .filter(Boolean)
          .map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]),
      ),
      memoryBytes: raw.ATRIUM_PLUGIN_MEMORY_MB * 1024 * 1024,
      deadlineMs: raw.ATRIUM_PLUGIN_TIMEOUT_MS,
      workers: raw.ATRIUM_PLUGIN_WORKERS,
      failureLimit: raw.ATRIUM_PLUGIN_FAILURE_LIMIT,
      catalogDir: resolve(raw.ATRIUM_PLUGIN_CATALOG_DIR ?? fileURLToPath(new URL('../../../plugins', import.meta.url))),
    },
    cookieSecure: raw.ATRIUM_COOKIE_SECURE ?? raw.ATRIUM_PUBLIC_URL?.startsWith('https:') ?? false,
    logLevel: raw.LOG_LEVEL,
    webDist: raw.ATRIUM_WEB_DIST,
    ...processCount(raw),
    sharedProviders: raw.ATRIUM_SHARED_PROVIDERS_FILE ? readSharedProviders(raw.ATRIUM_SHARED_PROVIDERS_FILE, env) : [],
  });
}

function readSharedProviders(path: string, env: Record<string, string | undefined>): SharedProvider[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration:\n  ATRIUM_SHARED_PROVIDERS_FILE: cannot read ${path} as JSON (${(error as Error).message})`,
    );
  }
  const result = z.array(sharedProviderSchema).safeParse(parsed);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ATRIUM_SHARED_PROVIDERS_FILE [${issue.path.join('.')}]: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const names = new Set<string>();
  return result.data.map((entry, index) => {
    if (names.has(entry.name))
      throw new ConfigError(`Invalid configuration:\n  ATRIUM_SHARED_PROVIDERS_FILE [${index}.name]: '${entry.name}' is listed twice`);
    names.add(entry.name);
    const apiKey = entry.api_key ?? (entry.api_key_env ? env[entry.api_key_env] : undefined);
    if (entry.api_key_env && !apiKey) {
      throw new ConfigError(
        `Invalid configuration:\n  ATRIUM_SHARED_PROVIDERS_FILE [${index}.api_key_env]: ${entry.api_key_env} is not set`,
      );
    }
    return {
      name: entry.name,
      type: entry.type,
      baseUrl: entry.base_url,
      apiKey,
      apiVersion: entry.api_version,
      headers: entry.headers,
      models: entry.models,
      organizations: entry.organizations,
    };
  });
}

function processCount(raw: RawConfig): { processes: number; processesNote: string | undefined } {
  const shared = raw.DATABASE_URL !== undefined && raw.REDIS_URL !== undefined;
  if (raw.ATRIUM_MODE === 'worker') return { processes: 1, processesNote: undefined };
  if (!shared) {
    const note =
      (raw.ATRIUM_PROCESSES ?? 1) > 1
        ? 'ATRIUM_PROCESSES needs DATABASE_URL and REDIS_URL (the embedded database and memory cache belong to one process); running one.'
        : undefined;
    return { processes: 1, processesNote: note };
  }
  return { processes: raw.ATRIUM_PROCESSES ?? availableParallelism(), processesNote: undefined };
}

/** Reads `.env` (when present) into the process environment, then parses it with `overrides` on top. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return parseConfig({ ...process.env, ...overrides });
}

/** The test environment's database and cache, from variables only CI sets. */
export function loadTestTargets(): { databaseUrl?: string; redisUrl?: string; logLevel: string } {
  return {
    databaseUrl: process.env.TEST_DATABASE_URL,
    redisUrl: process.env.TEST_REDIS_URL,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
  };
}
