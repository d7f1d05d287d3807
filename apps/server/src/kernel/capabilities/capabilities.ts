import { and, desc, eq, lt } from 'drizzle-orm';
import type { Vault } from '../crypto/envelope.ts';
import { newId } from '../crypto/ids.ts';
import type { Database } from '../db/database.ts';
import { createGroupCommit } from '../db/group-commit.ts';
import { asSystem, withTenant } from '../db/tenant.ts';
import { AppError, ConflictError, NotFoundError } from '../errors.ts';
import type { EventActor, Events } from '../events/events.ts';
import { capabilityExecutions } from '../schema.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type JsonSchemaObject, schemaValidator } from './json-schema.ts';

/** Where a capability is called: an organisation, and the workspace whose installations apply. */
export interface CapabilityScope {
  orgId: string;
  workspaceId: string | null;
}

export type ExecutionVia = 'api' | 'mcp' | 'agent' | 'workflow' | 'hook';

/** What a capability's implementation receives besides its input. */
export interface CapabilityCall {
  scope: CapabilityScope;
  executionId: string;
  actor: EventActor | null;
  via: ExecutionVia;
  /** Aborted at the timeout. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Adds a line to the execution log (at most 50 lines are kept). */
  log(level: LogLevel, message: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogLine {
  level: LogLevel;
  message: string;
  at: string;
}
const MAX_LOG_LINES = 50;
const MAX_LOG_LINE = 1000;

/**
 * The unit of action agents and workflows call: a built-in, a plugin's capability or an MCP tool.
 * Ids are dotted: `http.request`, `<plugin>.<name>`, `mcp.<server>.<tool>`.
 */
export interface Capability {
  id: string;
  description: string;
  provider: 'builtin' | 'plugin' | 'mcp';
  /** The plugin installation or MCP server that provides it. */
  ownerId?: string | null;
  /** Human name of the provider (plugin or server name). */
  ownerName?: string;
  input: JsonSchemaObject;
  output?: JsonSchemaObject;
  requiresApproval?: boolean;
  /** The output is an A2UI component. */
  ui?: boolean;
  timeoutMs?: number;
  invoke(input: unknown, call: CapabilityCall): Promise<unknown>;
}

/** Capabilities that depend on the scope: installed plugins, connected MCP servers. */
export interface CapabilitySource {
  name: string;
  list(scope: CapabilityScope): Promise<Capability[]>;
  /** Finds one capability by id; undefined when this source does not know it. */
  resolve(scope: CapabilityScope, id: string): Promise<Capability | undefined>;
}

export type ExecutionStatus = 'succeeded' | 'failed' | 'pending_approval' | 'rejected';

export interface ExecutionResult {
  id: string;
  capabilityId: string;
  status: ExecutionStatus;
  output: unknown;
  error: { code: string; message: string } | null;
  durationMs: number;
  logs: LogLine[];
}

/** A finished execution, as observers (metering, plugin health) see it. */
export interface ExecutionRecord extends ExecutionResult {
  scope: CapabilityScope;
  provider: Capability['provider'];
  ownerId: string | null;
  via: ExecutionVia;
  at: Date;
}

/** An error a capability implementation throws to fail its call with a stable code. */
export class CapabilityError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type ExecutionRow = typeof capabilityExecutions.$inferSelect;

const DEFAULT_TIMEOUT_MS = 30_000;
/** The log keeps this much of each input and output (full input while awaiting approval). */
const LOG_LIMIT = 8 * 1024;

function truncatedJson(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  return text.length <= LOG_LIMIT ? text : JSON.stringify({ truncated: true, preview: text.slice(0, LOG_LIMIT) });
}

function failure(error: unknown): { code: string; message: string } {
  if (error instanceof CapabilityError) return { code: error.code, message: error.message };
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: 'capability_error', message: 'The capability failed.' };
}

/**
 * The capability registry and executor. Built-ins register once; sources add what a scope has
 * installed. The executor validates input and output against their JSON Schemas, enforces the
 * timeout, asks guards (quotas) first, logs every call, tells observers (metering, health) and
 * holds calls that need approval until someone decides.
 *
 * @example
 * capabilities.register({ id: 'time.now', description: 'The time', provider: 'builtin', input: { type: 'object' }, invoke: async () => new Date().toISOString() });
 * const result = await capabilities.execute({ orgId, workspaceId }, 'time.now', {}, { actor, via: 'api' });
 */
export function createCapabilities(options: { database: Database; vault: Vault; events: Events; log: Logger; clock: () => Date }) {
  const { database, vault, events, log, clock } = options;
  const builtins = new Map<string, Capability>();
  const sources: CapabilitySource[] = [];
  const guards: Array<(scope: CapabilityScope, capability: Capability) => Promise<void>> = [];
  const observers: Array<(execution: ExecutionRecord) => void> = [];

  const logWriter = createGroupCommit<typeof capabilityExecutions.$inferInsert>({
    maxBatch: 500,
    // The log is written as the owner in one statement for many organisations; every row
    // carries its own org_id and the readers below go through withTenant.
    write: async (rows) => {
      await asSystem(database, (db) => db.insert(capabilityExecutions).values(rows).onConflictDoNothing());
    },
  });

  /** Executions whose log rows are still being sealed or written. */
  const logging = new Set<Promise<void>>();
  async function settleLog() {
    await Promise.all(logging);
    await logWriter.flush();
  }

  async function sealed(orgId: string, value: unknown, full = false) {
    return vault.encrypt(orgId, full ? JSON.stringify(value ?? null) : truncatedJson(value));
  }

  function validate(schema: JsonSchemaObject | undefined, value: unknown, param: string) {
    if (!schema) return null;
    return schemaValidator(schema)(value, param);
  }

  async function resolve(scope: CapabilityScope, id: string): Promise<Capability> {
    const builtin = builtins.get(id);
    if (builtin) return builtin;
    for (const source of sources) {
      const found = await source.resolve(scope, id);
      if (found) return found;
    }
    throw new NotFoundError('Capability', 'capability_not_found');
  }

  async function run(capability: Capability, input: unknown, call: Omit<CapabilityCall, 'signal' | 'timeoutMs' | 'log'>) {
    const timeoutMs = capability.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const controller = new AbortController();
    const logs: LogLine[] = [];
    const addLine = (level: LogLevel, message: string) => {
      if (logs.length < MAX_LOG_LINES) logs.push({ level, message: String(message).slice(0, MAX_LOG_LINE), at: clock().toISOString() });
    };
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let output: unknown = null;
    let error: ExecutionResult['error'] = null;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new CapabilityError('timeout', `The capability did not finish within ${timeoutMs} ms.`));
        }, timeoutMs);
      });
      output = await Promise.race([capability.invoke(input, { ...call, signal: controller.signal, timeoutMs, log: addLine }), timeout]);
      if (output === undefined) output = null;
      const problem = validate(capability.output, output, 'output');
      if (problem) {
        error = { code: 'invalid_output', message: `The capability returned output that does not match its schema: ${problem.message}` };
        output = null;
      }
    } catch (caught) {
      error = failure(caught);
      if (!(caught instanceof CapabilityError) && !(caught instanceof AppError)) {
        log.warn({ err: caught, capability: capability.id }, 'capability failed unexpectedly');
      }
    } finally {
      clearTimeout(timer);
    }
    const durationMs = Math.round(performance.now() - started);
    return { output, error, durationMs, logs };
  }

  function observe(record: ExecutionRecord) {
    for (const observer of observers) {
      try {
        observer(record);
      } catch (error) {
        log.warn({ err: error }, 'capability observer failed');
      }
    }
  }

  async function logExecution(
    capability: Capability,
    result: ExecutionResult,
    scope: CapabilityScope,
    input: unknown,
    meta: { actor: EventActor | null; via: ExecutionVia },
  ) {
    const at = clock();
    await logWriter.add({
      id: result.id,
      orgId: scope.orgId,
      workspaceId: scope.workspaceId,
      capabilityId: capability.id,
      provider: capability.provider,
      ownerId: capability.ownerId ?? null,
      status: result.status,
      input: await sealed(scope.orgId, input),
      output: result.status === 'succeeded' ? await sealed(scope.orgId, result.output) : null,
      error: result.error,
      logs: result.logs.length ? result.logs : null,
      durationMs: result.durationMs,
      actor: meta.actor,
      via: meta.via,
      createdAt: at,
    });
    observe({ ...result, scope, provider: capability.provider, ownerId: capability.ownerId ?? null, via: meta.via, at });
  }

  async function executeNow(
    capability: Capability,
    scope: CapabilityScope,
    input: unknown,
    meta: { actor: EventActor | null; via: ExecutionVia; executionId: string },
  ): Promise<ExecutionResult> {
    const outcome = await run(capability, input, { scope, executionId: meta.executionId, actor: meta.actor, via: meta.via });
    return {
      id: meta.executionId,
      capabilityId: capability.id,
      status: outcome.error ? 'failed' : 'succeeded',
      output: outcome.output,
      error: outcome.error,
      durationMs: outcome.durationMs,
      logs: outcome.logs,
    };
  }

  return {
    /** A capability every organisation has. */
    register(capability: Capability) {
      if (builtins.has(capability.id)) throw new Error(`capability ${capability.id} is already registered`);
      builtins.set(capability.id, capability);
    },
    addSource(source: CapabilitySource) {
      sources.push(source);
    },
    /** Runs before every execution; throw (e.g. QuotaExceededError) to refuse it. */
    guard(fn: (scope: CapabilityScope, capability: Capability) => Promise<void>) {
      guards.push(fn);
    },
    /** Told about every finished execution (after it is logged). Must not throw or block. */
    observe(fn: (execution: ExecutionRecord) => void) {
      observers.push(fn);
    },

    async list(scope: CapabilityScope): Promise<Capability[]> {
      const found = [...builtins.values()];
      for (const source of sources) found.push(...(await source.list(scope)));
      return found.sort((a, b) => a.id.localeCompare(b.id));
    },

    resolve,

    /**
     * Validates the input (400 naming the field), asks the guards, then runs the capability, or
     * records it as waiting for approval. Failures of the capability itself are results, not
     * thrown errors: an agent shows them to its model, the API returns the execution.
     */
    async execute(
      scope: CapabilityScope,
      id: string,
      input: unknown,
      meta: { actor: EventActor | null; via: ExecutionVia },
    ): Promise<ExecutionResult> {
      const capability = await resolve(scope, id);
      const problem = validate(capability.input, input, 'input');
      if (problem) throw problem;
      for (const guardFn of guards) await guardFn(scope, capability);
      const executionId = newId('cex');
      if (capability.requiresApproval) {
        // Sealed before the transaction: the vault may read the data key through the database.
        const sealedInput = await sealed(scope.orgId, input, true);
        await withTenant(database, scope.orgId, async (tx) => {
          await tx.insert(capabilityExecutions).values({
            id: executionId,
            orgId: scope.orgId,
            workspaceId: scope.workspaceId,
            capabilityId: capability.id,
            provider: capability.provider,
            ownerId: capability.ownerId ?? null,
            status: 'pending_approval',
            input: sealedInput,
            actor: meta.actor,
            via: meta.via,
            createdAt: clock(),
          });
          await events.emit(tx, {
            type: 'capability.approval_requested',
            orgId: scope.orgId,
            actor: meta.actor,
            payload: { execution_id: executionId, capability_id: capability.id, workspace_id: scope.workspaceId },
          });
        });
        return {
          id: executionId,
          capabilityId: capability.id,
          status: 'pending_approval',
          output: null,
          error: null,
          durationMs: 0,
          logs: [],
        };
      }
      const result = await executeNow(capability, scope, input, { ...meta, executionId });
      // The caller has its answer now; the log row (sealed, group-committed) and the observers follow.
      const logged = logExecution(capability, result, scope, input, meta)
        .catch((error) => log.error({ err: error, capability: capability.id }, 'could not log a capability execution'))
        .finally(() => logging.delete(logged));
      logging.add(logged);
      return result;
    },

    /** Approves (runs it now) or rejects an execution waiting for approval. */
    async decide(orgId: string, executionId: string, decision: 'approve' | 'reject', actor: EventActor): Promise<ExecutionResult> {
      const row = await withTenant(database, orgId, async (tx) => {
        const [claimed] = await tx
          .update(capabilityExecutions)
          .set({ status: decision === 'approve' ? 'approved' : 'rejected', decidedBy: actor.id, decidedAt: clock() })
          .where(
            and(
              eq(capabilityExecutions.orgId, orgId),
              eq(capabilityExecutions.id, executionId),
              eq(capabilityExecutions.status, 'pending_approval'),
            ),
          )
          .returning();
        if (!claimed) {
          const [existing] = await tx
            .select({ id: capabilityExecutions.id })
            .from(capabilityExecutions)
            .where(and(eq(capabilityExecutions.orgId, orgId), eq(capabilityExecutions.id, executionId)));
          if (!existing) throw new NotFoundError('Execution');
          throw new ConflictError('This execution is not waiting for approval.', 'not_pending');
        }
        await events.emit(tx, {
          type: decision === 'approve' ? 'capability.approved' : 'capability.rejected',
          orgId,
          actor,
          payload: { execution_id: executionId, capability_id: claimed.capabilityId, workspace_id: claimed.workspaceId },
        });
        return claimed;
      });
      const scope = { orgId, workspaceId: row.workspaceId };
      if (decision === 'reject') {
        return { id: executionId, capabilityId: row.capabilityId, status: 'rejected', output: null, error: null, durationMs: 0, logs: [] };
      }
      const input = JSON.parse(await vault.decrypt(orgId, row.input ?? 'null'));
      let result: ExecutionResult;
      let capability: Capability | undefined;
      try {
        capability = await resolve(scope, row.capabilityId);
        result = await executeNow(capability, scope, input, { actor, via: row.via as ExecutionVia, executionId });
      } catch (error) {
        result = {
          id: executionId,
          capabilityId: row.capabilityId,
          status: 'failed',
          output: null,
          error: failure(error),
          durationMs: 0,
          logs: [],
        };
      }
      await withTenant(database, orgId, (tx) =>
        tx
          .update(capabilityExecutions)
          .set({ status: result.status, error: result.error, durationMs: result.durationMs, logs: result.logs.length ? result.logs : null })
          .where(and(eq(capabilityExecutions.orgId, orgId), eq(capabilityExecutions.id, executionId))),
      );
      const output = result.status === 'succeeded' ? await sealed(orgId, result.output) : null;
      const input8k = await sealed(orgId, input);
      await withTenant(database, orgId, (tx) =>
        tx
          .update(capabilityExecutions)
          .set({ output, input: input8k })
          .where(and(eq(capabilityExecutions.orgId, orgId), eq(capabilityExecutions.id, executionId))),
      );
      if (capability) {
        observe({
          ...result,
          scope,
          provider: capability.provider,
          ownerId: capability.ownerId ?? null,
          via: row.via as ExecutionVia,
          at: clock(),
        });
      }
      return result;
    },

    /** The execution log, newest first; `before` is the cursor (an execution id's created_at). */
    async executions(orgId: string, filter: { ownerId?: string; capabilityId?: string; status?: string; before?: Date; limit?: number }) {
      await settleLog();
      const rows = await withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(capabilityExecutions)
          .where(
            and(
              eq(capabilityExecutions.orgId, orgId),
              filter.ownerId ? eq(capabilityExecutions.ownerId, filter.ownerId) : undefined,
              filter.capabilityId ? eq(capabilityExecutions.capabilityId, filter.capabilityId) : undefined,
              filter.status ? eq(capabilityExecutions.status, filter.status) : undefined,
              filter.before ? lt(capabilityExecutions.createdAt, filter.before) : undefined,
            ),
          )
          .orderBy(desc(capabilityExecutions.createdAt), desc(capabilityExecutions.id))
          .limit(filter.limit ?? 50),
      );
      return Promise.all(rows.map((row) => unseal(orgId, row)));
    },

    async execution(orgId: string, id: string) {
      await settleLog();
      const [row] = await withTenant(database, orgId, (tx) =>
        tx
          .select()
          .from(capabilityExecutions)
          .where(and(eq(capabilityExecutions.orgId, orgId), eq(capabilityExecutions.id, id))),
      );
      if (!row) throw new NotFoundError('Execution');
      return unseal(orgId, row);
    },

    /** Writes every logged execution still waiting (tests, shutdown). */
    flush: () => settleLog(),
  };

  async function unseal(orgId: string, row: ExecutionRow) {
    const open = async (value: string | null) => (value === null ? null : JSON.parse(await vault.decrypt(orgId, value)));
    return { ...row, input: await open(row.input), output: await open(row.output) };
  }
}

export type Capabilities = ReturnType<typeof createCapabilities>;
export type ExecutionEntry = Awaited<ReturnType<Capabilities['execution']>>;
