import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { newId } from '../../kernel/crypto/ids.ts';
import { AppError } from '../../kernel/errors.ts';
import { principalOf } from '../../kernel/http/auth-hook.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { Kernel } from '../../kernel/kernel.ts';
import {
  type ChatCompletion,
  type ChatMessage,
  type ChatRequest,
  GatewayError,
  openAIUsage,
  type ProviderAdapter,
  type ProviderType,
  RAW_TEXT,
  type Usage,
  usageFromOpenAI,
} from './adapters/types.ts';
import { conversationText, countTokens, roughPromptTokens } from './estimate.ts';
import type { Admission, Limits } from './limits.ts';
import { costOf } from './prices.ts';
import { type CachedAnswer, chunksOfCompletion, completionOfChunks, responseCacheKey } from './response-cache.ts';
import { type Breakers, callWithFallback, type Plan, planFor, type Target } from './router.ts';
import { type GatewayStore, type OrgGatewayConfig, type Policy, policyKey } from './store.ts';
import { objectSource, rawSource, type StreamSource } from './stream.ts';
import type { UsageRecord, UsageWriter } from './usage.ts';
import { modelAllowed, validateChat, validateEmbeddings } from './validation.ts';

export interface ProxyDependencies {
  kernel: Kernel;
  store: GatewayStore;
  limits: Limits;
  usage: UsageWriter;
  breakers: Breakers;
  adapters: Record<ProviderType, ProviderAdapter>;
  /** The workspace a signed-in user's call is for (`x-atrium-workspace`), checked to belong to the organisation. */
  workspaceOfUser(orgId: string, requested: string | undefined): Promise<string | undefined>;
  onBudgetExhausted(orgId: string, policy: Policy): void;
  /**
   * What the organisation's plan allows, from memory: its rate limits as a policy, and a gate that
   * throws (402) when a hard quota is used up or the organisation is restricted.
   */
  planAccess(orgId: string): Promise<{ policy: Policy | null; gate: (() => Promise<void>) | null }>;
}

/** Output tokens reserved against budgets when a request sets no `max_tokens`. */
const DEFAULT_OUTPUT_RESERVE = 4096;

interface Caller {
  principal: Principal;
  orgId: string;
  workspaceId: string | undefined;
  apiKeyId: string | null;
  config: OrgGatewayConfig;
  /** Narrowest first: key, workspace, organisation. */
  policies: Policy[];
}

function completionText(completion: ChatCompletion): string {
  const parts: string[] = [];
  for (const choice of completion.choices) {
    const message = choice.message as ChatMessage | undefined;
    if (typeof message?.content === 'string') parts.push(message.content);
    for (const call of message?.tool_calls ?? []) parts.push(call.function.name, call.function.arguments);
  }
  return parts.join('\n');
}

export function registerGatewayProxy(app: FastifyInstance, deps: ProxyDependencies) {
  const { kernel, store, limits, usage, breakers, adapters } = deps;

  async function callerOf(request: FastifyRequest): Promise<Caller> {
    const principal = principalOf(request);
    const config = await store.get(principal.orgId);
    const workspaceId =
      principal.type === 'api_key'
        ? principal.workspaceId
        : await deps.workspaceOfUser(principal.orgId, request.headers['x-atrium-workspace'] as string | undefined);
    const policies: Policy[] = [];
    const apiKeyId = principal.type === 'api_key' ? principal.id : null;
    const keyPolicy = apiKeyId ? config.policies.get(policyKey('api_key', apiKeyId)) : undefined;
    if (keyPolicy) policies.push(keyPolicy);
    const workspacePolicy = workspaceId ? config.policies.get(policyKey('workspace', workspaceId)) : undefined;
    if (workspacePolicy) policies.push(workspacePolicy);
    const orgPolicy = config.policies.get(policyKey('organization', principal.orgId));
    if (orgPolicy) policies.push(orgPolicy);
    const plan = await deps.planAccess(principal.orgId);
    if (plan.gate) await plan.gate();
    if (plan.policy) policies.push(plan.policy);
    return { principal, orgId: principal.orgId, workspaceId, apiKeyId, config, policies };
  }

  function checkAllowed(caller: Caller, model: string) {
    for (const policy of caller.policies) {
      if (policy.allowedModels?.length && !modelAllowed(policy.allowedModels, model)) {
        throw new GatewayError(
          403,
          'permission_error',
          'model_not_allowed',
          `This ${policy.scope === 'api_key' ? 'API key' : policy.scope} may not use the model '${model}'.`,
          {
            param: 'model',
          },
        );
      }
    }
  }

  /** A cost upper bound for the reservation: the dearest target's price. */
  function estimateCost(caller: Caller, plan: Plan, inputTokens: number, outputTokens: number): number {
    let worst = 0;
    for (const target of plan.targets) {
      const price = store.prices.current(caller.orgId, target.connection.type, target.model);
      worst = Math.max(worst, costOf({ input: inputTokens, output: outputTokens, cached: 0 }, price));
    }
    return worst;
  }

  function cacheTtlOf(caller: Caller, request: FastifyRequest): number | null {
    const ttl = caller.policies.find((policy) => policy.cacheTtlSeconds)?.cacheTtlSeconds ?? null;
    if (ttl === null) return null;
    const control = `${request.headers['x-atrium-cache'] ?? ''} ${request.headers['cache-control'] ?? ''}`;
    return /no-store|no-cache|bypass/.test(control) ? null : ttl;
  }

  function logsBodies(caller: Caller): boolean {
    return caller.config.policies.get(policyKey('organization', caller.orgId))?.logBodies === true;
  }

  function baseRow(caller: Caller, requestId: string, endpoint: string, requestedModel: string): UsageRecord['row'] {
    return {
      id: newId('gwr'),
      orgId: caller.orgId,
      requestId,
      workspaceId: caller.workspaceId ?? null,
      apiKeyId: caller.apiKeyId,
      userId: caller.principal.userId,
      endpoint,
      requestedModel,
      status: 200,
      latencyMs: 0,
      createdAt: kernel.clock(),
    };
  }

  function admissionFor(caller: Caller, plan: Plan, inputTokens: number, outputReserve: number): Promise<Admission | undefined> {
    if (!caller.policies.length) return Promise.resolve(undefined);
    return limits.admit(
      caller.orgId,
      caller.policies,
      { tokens: inputTokens, costMicros: estimateCost(caller, plan, inputTokens, outputReserve) },
      (policy) => deps.onBudgetExhausted(caller.orgId, policy),
    );
  }

  /** Takes the limits; a refused call is still logged (as a 429 that cost nothing). */
  async function admit(row: UsageRecord['row'], reply: FastifyReply, take: () => Promise<Admission | undefined>) {
    try {
      const admission = await take();
      if (admission) reply.headers(admission.headers);
      return admission;
    } catch (error) {
      await recordFailure(row, reply, error, undefined);
      throw error;
    }
  }

  function describe(row: UsageRecord['row'], target: Target | undefined, attempts: number) {
    if (!target) return;
    row.connectionId = target.connection.id;
    row.provider = target.connection.type;
    row.model = target.model;
    row.attempts = attempts;
  }

  /** Records a failed call (it still counts as a request) and hands the error on. */
  async function recordFailure(row: UsageRecord['row'], reply: FastifyReply, error: unknown, admission: Admission | undefined) {
    limits.settle(admission, { tokens: 0, costMicros: 0, counted: true });
    row.status = error instanceof AppError ? error.status : 500;
    row.errorCode = error instanceof AppError ? error.code : 'internal_error';
    row.latencyMs = Math.round(reply.elapsedTime);
    await usage.record({ row }).catch((writeError) => kernel.log.error({ err: writeError }, 'could not record gateway usage'));
  }

  function targetHeaders(reply: FastifyReply, target: Target, attempts: number) {
    reply.header('x-atrium-provider', target.connection.name);
    reply.header('x-atrium-model', target.model);
    if (attempts > 1) reply.header('x-atrium-attempts', String(attempts));
  }

  // The /v1 bodies are the providers' to judge: no schema validation here (validateChat checks
  // what Atrium relies on), so unknown fields travel upstream untouched and nothing is re-parsed.
  const tags = ['OpenAI-compatible'];
  const config = { permission: 'gateway:use', idempotency: false, requestContext: false } as const;
  const bodyLimit = 20 * 1024 * 1024;

  app.post(
    '/v1/chat/completions',
    {
      config,
      bodyLimit,
      schema: { tags, summary: 'Create a chat completion (OpenAI wire format; `stream: true` for server-sent events)' },
    },
    async function chatCompletions(request, reply) {
      const body = validateChat(request.body);
      const caller = await callerOf(request);
      checkAllowed(caller, body.model);
      const plan = planFor(caller.config, body.model, caller.workspaceId);
      const stream = body.stream === true;
      const promptTokens = roughPromptTokens(body.messages);
      const outputReserve = ((body.max_completion_tokens ?? body.max_tokens) as number | undefined) ?? DEFAULT_OUTPUT_RESERVE;
      const row = baseRow(caller, String(request.id), 'chat', body.model);
      row.stream = stream;
      const admission = await admit(row, reply, () =>
        admissionFor(caller, plan, promptTokens, outputReserve * ((body.n as number | undefined) ?? 1)),
      );

      const ttl = cacheTtlOf(caller, request);
      const cacheKey = ttl ? responseCacheKey(caller, body) : undefined;
      if (cacheKey) {
        const cached = await kernel.cache.get(cacheKey);
        if (cached) return serveCached(reply, body, row, admission, JSON.parse(cached) as CachedAnswer);
        reply.header('x-atrium-cache', 'miss');
      }

      const abort = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) abort.abort();
      };
      reply.raw.on('close', onClose);
      const upstreamStart = performance.now();
      let target: Target | undefined;
      let attempts = 0;
      const tried = (candidate: Target, count: number) => {
        target = candidate;
        attempts = count;
      };
      try {
        if (!stream) {
          const result = await callWithFallback(
            plan,
            breakers,
            abort.signal,
            (candidate, signal) =>
              adapters[candidate.connection.type].chat(candidate.connection, { ...body, model: candidate.model }, { signal }),
            tried,
          );
          ({ target, attempts } = result);
          const upstreamMs = performance.now() - upstreamStart;
          const completion = result.value;
          let measured = usageFromOpenAI(completion.usage);
          if (!measured) {
            measured = {
              input: await countTokens(conversationText(body.messages)),
              output: await countTokens(completionText(completion)),
              cached: 0,
            };
            row.estimated = true;
          }
          const costMicros = costOf(measured, store.prices.current(caller.orgId, target.connection.type, target.model));
          limits.settle(admission, { tokens: measured.input + measured.output, costMicros, counted: true });
          describe(row, target, attempts);
          Object.assign(row, { inputTokens: measured.input, outputTokens: measured.output, cachedTokens: measured.cached, costMicros });
          if (cacheKey) row.cache = 'miss';
          const text = completion[RAW_TEXT] ?? JSON.stringify(completion);
          row.latencyMs = Math.round(reply.elapsedTime);
          row.overheadMs = Math.max(0, Math.round(reply.elapsedTime - upstreamMs));
          await usage.record({ row, bodies: logsBodies(caller) ? { request: JSON.stringify(body), response: text } : undefined });
          if (cacheKey && ttl) {
            const answer: CachedAnswer = { completion, usage: measured, provider: target.connection.name, model: target.model };
            kernel.cache.set(cacheKey, JSON.stringify(answer), ttl * 1000).catch(() => undefined);
          }
          targetHeaders(reply, target, attempts);
          reply.header('x-atrium-overhead-ms', (reply.elapsedTime - upstreamMs).toFixed(2));
          return reply.type('application/json').send(text);
        }

        const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
        const result = await callWithFallback(
          plan,
          breakers,
          abort.signal,
          (candidate, signal): Promise<StreamSource> => {
            const adapter = adapters[candidate.connection.type];
            const request = { ...body, model: candidate.model };
            // OpenAI-format upstreams pass through as bytes; the others are translated chunk by chunk.
            if (adapter.chatStreamRaw)
              return adapter.chatStreamRaw(candidate.connection, request, { signal }).then((raw) => rawSource(raw, includeUsage));
            return adapter.chatStream(candidate.connection, request, { signal }).then((chunks) => objectSource(chunks, includeUsage));
          },
          tried,
          true,
        );
        ({ target, attempts } = result);
        describe(row, target, attempts);
        targetHeaders(reply, target, attempts);
        const overhead = reply.elapsedTime - (performance.now() - upstreamStart);
        row.overheadMs = Math.round(overhead);
        reply.header('x-atrium-overhead-ms', overhead.toFixed(2));
        await pipeStream(
          reply,
          caller,
          body,
          row,
          admission,
          result.value,
          abort,
          upstreamStart,
          cacheKey && ttl ? { key: cacheKey, ttl } : undefined,
        );
        return reply;
      } catch (error) {
        describe(row, target, attempts);
        await recordFailure(row, reply, error, admission);
        throw error;
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );

  /** Streams OpenAI chunks to the client as they come; usage is made durable before `[DONE]`. */
  async function pipeStream(
    reply: FastifyReply,
    caller: Caller,
    body: ChatRequest,
    row: UsageRecord['row'],
    admission: Admission | undefined,
    source: StreamSource,
    abort: AbortController,
    upstreamStart: number,
    cacheTo: { key: string; ttl: number } | undefined,
  ) {
    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    raw.flushHeaders();
    let failure: unknown;
    try {
      await source.run((pieces) => {
        row.firstTokenMs ??= Math.round(performance.now() - upstreamStart);
        // Everything one upstream read delivered leaves in one system call.
        raw.cork();
        let flowing = true;
        for (const piece of pieces) flowing = raw.write(piece) && flowing;
        raw.uncork();
        if (!flowing) return drained(raw);
      }, abort.signal);
    } catch (error) {
      failure = error;
    }
    const clientGone = abort.signal.aborted;
    let measured = source.usage();
    if (!measured) {
      measured = {
        input: await countTokens(conversationText(body.messages)),
        output: await countTokens(source.generatedText()),
        cached: 0,
      };
      row.estimated = true;
    }
    const target = { type: row.provider as ProviderType, model: row.model ?? '' };
    const costMicros = costOf(measured, store.prices.current(caller.orgId, target.type, target.model));
    limits.settle(admission, { tokens: measured.input + measured.output, costMicros, counted: true });
    Object.assign(row, { inputTokens: measured.input, outputTokens: measured.output, cachedTokens: measured.cached, costMicros });
    if (cacheTo) row.cache = 'miss';
    if (clientGone) {
      row.status = 499;
      row.errorCode = 'client_closed_request';
    } else if (failure) {
      row.status = failure instanceof AppError ? failure.status : 502;
      row.errorCode = failure instanceof AppError ? failure.code : 'upstream_stream_broken';
    }
    row.latencyMs = Math.round(reply.elapsedTime);
    try {
      await usage.record({
        row,
        bodies: logsBodies(caller) ? { request: JSON.stringify(body), response: source.generatedText() } : undefined,
      });
    } catch (error) {
      // The answer streamed but its usage is not durable: end the stream with an error, not [DONE].
      kernel.log.error({ err: error }, 'could not record gateway usage');
      failure ??= new GatewayError(500, 'server_error', 'usage_not_recorded', 'The answer could not be metered.');
    }
    if (clientGone) return;
    if (failure) {
      const appError =
        failure instanceof AppError
          ? failure
          : new GatewayError(502, 'server_error', 'upstream_stream_broken', 'The provider closed the stream early.');
      raw.end(
        `data: ${JSON.stringify({ error: { message: appError.message, type: appError.type, code: appError.code, param: null } })}\n\n`,
      );
      return;
    }
    if (cacheTo) {
      const answer: CachedAnswer = {
        chunks: source.chunks(),
        usage: measured,
        provider: String(reply.getHeader('x-atrium-provider') ?? ''),
        model: row.model ?? '',
      };
      kernel.cache.set(cacheTo.key, JSON.stringify(answer), cacheTo.ttl * 1000).catch(() => undefined);
    }
    raw.end('data: [DONE]\n\n');
  }

  /** Serves a cached answer (JSON or a replayed stream): no upstream call, no cost, metered as a hit. */
  async function serveCached(
    reply: FastifyReply,
    body: ChatRequest,
    row: UsageRecord['row'],
    admission: Admission | undefined,
    answer: CachedAnswer,
  ) {
    limits.settle(admission, { tokens: 0, costMicros: 0, counted: true });
    Object.assign(row, {
      cache: 'hit',
      provider: null,
      model: answer.model,
      inputTokens: answer.usage.input,
      outputTokens: answer.usage.output,
      cachedTokens: answer.usage.input,
      costMicros: 0,
      latencyMs: Math.round(reply.elapsedTime),
      overheadMs: Math.round(reply.elapsedTime),
    });
    await usage.record({ row });
    reply.header('x-atrium-cache', 'hit');
    reply.header('x-atrium-provider', answer.provider);
    reply.header('x-atrium-model', answer.model);
    reply.header('x-atrium-overhead-ms', reply.elapsedTime.toFixed(2));
    const chunks = answer.chunks ?? (answer.completion ? chunksOfCompletion(answer.completion) : []);
    if (body.stream !== true) {
      return reply.type('application/json').send(JSON.stringify(answer.completion ?? completionOfChunks(chunks, answer.usage)));
    }
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const lines: string[] = [];
    for (const chunk of chunks) {
      if (!includeUsage && chunk.usage && chunk.choices.length === 0) continue;
      const copy = { ...chunk };
      if (!includeUsage) delete copy.usage;
      lines.push(`data: ${JSON.stringify(copy)}\n\n`);
    }
    if (includeUsage && !chunks.some((chunk) => chunk.usage)) {
      lines.push(`data: ${JSON.stringify({ ...chunks[0], choices: [], usage: openAIUsage(answer.usage) })}\n\n`);
    }
    lines.push('data: [DONE]\n\n');
    return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send(lines.join(''));
  }

  app.post(
    '/v1/embeddings',
    { config, bodyLimit, schema: { tags, summary: 'Create embeddings (OpenAI wire format)' } },
    async function embeddings(request, reply) {
      const body = validateEmbeddings(request.body);
      const caller = await callerOf(request);
      checkAllowed(caller, body.model);
      const plan = planFor(caller.config, body.model, caller.workspaceId);
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      const roughTokens = inputs.reduce<number>(
        (sum, input) => sum + (typeof input === 'string' ? Math.ceil(input.length / 4) : Array.isArray(input) ? input.length : 1),
        0,
      );
      const row = baseRow(caller, String(request.id), 'embeddings', body.model);
      const admission = await admit(row, reply, () => admissionFor(caller, plan, roughTokens, 0));
      const abort = new AbortController();
      let target: Target | undefined;
      let attempts = 0;
      const upstreamStart = performance.now();
      try {
        const result = await callWithFallback(
          plan,
          breakers,
          abort.signal,
          (candidate, signal) =>
            adapters[candidate.connection.type].embed(candidate.connection, { ...body, model: candidate.model }, { signal }),
          (candidate, count) => {
            target = candidate;
            attempts = count;
          },
        );
        ({ target, attempts } = result);
        const upstreamMs = performance.now() - upstreamStart;
        const measured: Usage = { input: result.value.usage?.prompt_tokens ?? roughTokens, output: 0, cached: 0 };
        if (!result.value.usage) row.estimated = true;
        const costMicros = costOf(measured, store.prices.current(caller.orgId, target.connection.type, target.model));
        limits.settle(admission, { tokens: measured.input, costMicros, counted: true });
        describe(row, target, attempts);
        Object.assign(row, {
          inputTokens: measured.input,
          costMicros,
          latencyMs: Math.round(reply.elapsedTime),
          overheadMs: Math.round(reply.elapsedTime - upstreamMs),
        });
        await usage.record({ row });
        targetHeaders(reply, target, attempts);
        reply.header('x-atrium-overhead-ms', (reply.elapsedTime - upstreamMs).toFixed(2));
        return reply.type('application/json').send(JSON.stringify(result.value));
      } catch (error) {
        describe(row, target, attempts);
        await recordFailure(row, reply, error, admission);
        throw error;
      }
    },
  );

  app.get(
    '/v1/models',
    { config: { permission: 'gateway:use' }, schema: { tags, summary: 'The models this key may use: route aliases and `provider/model`' } },
    async function models(request) {
      const caller = await callerOf(request);
      const ids = new Set<string>();
      for (const route of caller.config.routes.values()) ids.add(route.model);
      for (const connection of caller.config.connectionsById.values()) {
        if (!connection.enabled || (connection.workspaceId !== null && connection.workspaceId !== caller.workspaceId)) continue;
        for (const model of await modelsOf(
          connection.id,
          () => adapters[connection.type].listModels(connection, { signal: AbortSignal.timeout(5_000) }),
          connection.settings.models,
        )) {
          ids.add(`${connection.name}/${model}`);
        }
      }
      const allowed = [...ids].filter((id) =>
        caller.policies.every((policy) => !policy.allowedModels?.length || modelAllowed(policy.allowedModels, id)),
      );
      return {
        object: 'list',
        data: allowed.sort().map((id) => ({ id, object: 'model', created: 0, owned_by: id.includes('/') ? id.split('/')[0] : 'atrium' })),
      };
    },
  );

  // Listing a provider's models is slow; remember each connection's list for ten minutes.
  const modelLists = new Map<string, { at: number; models: string[] }>();
  async function modelsOf(connectionId: string, list: () => Promise<string[]>, configured: string[] | undefined): Promise<string[]> {
    if (configured?.length) return configured;
    const known = modelLists.get(connectionId);
    if (known && Date.now() - known.at < 600_000) return known.models;
    const models = await list().catch(() => known?.models ?? []);
    modelLists.set(connectionId, { at: Date.now(), models });
    return models;
  }
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
