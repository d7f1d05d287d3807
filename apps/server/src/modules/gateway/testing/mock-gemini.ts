import type { ServerResponse } from 'node:http';
import { countWords, type FormatHandler, formats, type MockContext, replyText, words } from './mock-upstream.ts';

/**
 * Gemini's wire format for the mock upstream (`/v1beta/models/<model>:<method>`): generateContent,
 * streamGenerateContent (`?alt=sse`), batchEmbedContents and the model list, with Google's error
 * body `{error: {code, message, status}}`. It checks requests the way Gemini does where a wrong
 * translation would fail there: roles, empty parts, schema keywords it does not know.
 */

type Json = Record<string, unknown>;

interface Part {
  text?: string;
  functionCall?: { name: string; args: Json };
  functionResponse?: { name: string; response: Json };
  inlineData?: unknown;
  fileData?: unknown;
}

interface Content {
  role?: string;
  parts?: Part[];
}

export const GEMINI_MOCK_MODELS = ['gemini-mock-flash', 'gemini-mock-pro', 'text-embedding-mock'];

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const SCRIPTED_MESSAGES: Record<number, string> = {
  400: '* GenerateContentRequest.contents: contents is not specified',
  429: 'Resource has been exhausted (e.g. check quota).',
  503: 'The model is overloaded. Please try again later.',
};

/** Keywords of Gemini's `Schema`; anything else in a schema position fails the request. */
const SCHEMA_KEYS = new Set([
  'type',
  'format',
  'title',
  'description',
  'nullable',
  'enum',
  'maxItems',
  'minItems',
  'properties',
  'required',
  'minProperties',
  'maxProperties',
  'minLength',
  'maxLength',
  'pattern',
  'example',
  'anyOf',
  'propertyOrdering',
  'default',
  'items',
  'minimum',
  'maximum',
]);

class InvalidArgument extends Error {}

function sendError(response: ServerResponse, status: number, message: string) {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...(status === 429 ? { 'retry-after': '1' } : {}) });
  response.end(JSON.stringify({ error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } }, null, 2));
}

function sendJson(response: ServerResponse, body: unknown) {
  response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body, null, 2));
}

function checkSchema(schema: unknown, where: string) {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return;
  for (const [key, value] of Object.entries(schema)) {
    if (!SCHEMA_KEYS.has(key))
      throw new InvalidArgument(`Invalid JSON payload received. Unknown name "${key}" at '${where}': Cannot find field.`);
    if (key === 'properties' && value && typeof value === 'object') {
      for (const [name, property] of Object.entries(value)) checkSchema(property, `${where}.properties[${name}].value`);
    }
    if (key === 'items') checkSchema(value, `${where}.items`);
    if (key === 'anyOf' && Array.isArray(value)) {
      for (const [index, item] of value.entries()) checkSchema(item, `${where}.any_of[${index}]`);
    }
  }
}

function checkRequest(body: Json) {
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0)
    throw new InvalidArgument('* GenerateContentRequest.contents: contents is not specified');
  (contents as Content[]).forEach((content, index) => {
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') {
      throw new InvalidArgument(`Please use a valid role: user, model.`);
    }
    if (!Array.isArray(content.parts) || content.parts.length === 0) {
      throw new InvalidArgument(`* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.`);
    }
  });
  const tools = Array.isArray(body.tools)
    ? (body.tools as Array<{ functionDeclarations?: Array<{ name?: string; parameters?: unknown }> }>)
    : [];
  tools.forEach((tool, t) => {
    (tool.functionDeclarations ?? []).forEach((declaration, d) => {
      if (!declaration.name)
        throw new InvalidArgument(`* GenerateContentRequest.tools[${t}].function_declarations[${d}].name: Name cannot be empty.`);
      checkSchema(declaration.parameters, `tools[${t}].function_declarations[${d}].parameters`);
    });
  });
  const config = body.generationConfig as Json | undefined;
  if (config?.responseSchema) checkSchema(config.responseSchema, 'generation_config.response_schema');
}

function lastUserText(contents: Content[]): string {
  for (let index = contents.length - 1; index >= 0; index--) {
    const content = contents[index];
    if (content.role !== 'user') continue;
    return (content.parts ?? [])
      .map((part) => part.text ?? '')
      .filter(Boolean)
      .join(' ')
      .trim();
  }
  return '';
}

interface Plan {
  model: string;
  text: string;
  calls: Array<{ name: string; args: Json }> | undefined;
  candidateCount: number;
  promptTokens: number;
  completionTokens: number;
  logprobs: { top: number } | undefined;
  responseId: string;
}

function plan(model: string, body: Json, context: MockContext): Plan {
  const contents = body.contents as Content[];
  const config = (body.generationConfig ?? {}) as Json;
  const mode =
    ((body.toolConfig as Json | undefined)?.functionCallingConfig as { mode?: string; allowedFunctionNames?: string[] } | undefined) ?? {};
  const declarations = ((body.tools ?? []) as Array<{ functionDeclarations?: Array<{ name: string }> }>).flatMap(
    (tool) => tool.functionDeclarations ?? [],
  );
  const allowed = mode.allowedFunctionNames;
  const callable = declarations.filter((declaration) => !allowed || allowed.includes(declaration.name));
  const calls =
    callable.length > 0 && mode.mode !== 'NONE'
      ? callable.slice(0, 2).map((declaration, index) => ({ name: declaration.name, args: { index } }))
      : undefined;
  const text =
    config.responseMimeType === 'application/json' ? '{"ok": true}' : replyText(model, lastUserText(contents), context.behaviour);
  return {
    model,
    text,
    calls,
    candidateCount: typeof config.candidateCount === 'number' ? config.candidateCount : 1,
    promptTokens: countWords(body.systemInstruction) + countWords(contents),
    completionTokens: calls ? calls.length * 3 : countWords(text),
    logprobs: config.responseLogprobs ? { top: typeof config.logprobs === 'number' ? config.logprobs : 0 } : undefined,
    responseId: `mockresp${Date.now().toString(36)}`,
  };
}

function logprobsResult(tokens: string[], top: number) {
  return {
    topCandidates: tokens.map((token) => ({
      candidates: Array.from({ length: top }, (_, rank) => ({
        token: rank === 0 ? token : `alt${rank}`,
        logProbability: -0.1 * (rank + 1),
      })),
    })),
    chosenCandidates: tokens.map((token) => ({ token, logProbability: -0.1 })),
  };
}

function usage(plan: Plan, final: boolean) {
  const completion = final ? plan.completionTokens * plan.candidateCount : 0;
  return {
    promptTokenCount: plan.promptTokens,
    ...(final ? { candidatesTokenCount: completion } : {}),
    totalTokenCount: plan.promptTokens + completion,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: plan.promptTokens }],
  };
}

function generate(response: ServerResponse, plan: Plan, noUsage: boolean) {
  const candidates = Array.from({ length: plan.candidateCount }, (_, index) => ({
    content: { parts: plan.calls ? plan.calls.map((functionCall) => ({ functionCall })) : [{ text: plan.text }], role: 'model' },
    finishReason: 'STOP',
    ...(plan.logprobs && !plan.calls ? { avgLogprobs: -0.1, logprobsResult: logprobsResult(words(plan.text), plan.logprobs.top) } : {}),
    index,
  }));
  sendJson(response, {
    candidates,
    ...(noUsage ? {} : { usageMetadata: usage(plan, true) }),
    modelVersion: plan.model,
    responseId: plan.responseId,
  });
}

async function stream(response: ServerResponse, plan: Plan, context: MockContext) {
  const { behaviour } = context;
  response.writeHead(200, { 'content-type': 'text/event-stream', 'content-disposition': 'attachment', 'cache-control': 'no-cache' });
  const event = (candidates: Json[], final: boolean) => {
    const fragment = {
      candidates,
      ...(behaviour.noUsage ? {} : { usageMetadata: usage(plan, final) }),
      modelVersion: plan.model,
      responseId: plan.responseId,
    };
    response.write(`data: ${JSON.stringify(fragment)}\r\n\r\n`);
  };
  // Gemini leaves `index` out for the first candidate: proto3 drops default values from JSON.
  const indexed = (index: number, candidate: Json) => (index === 0 ? candidate : { ...candidate, index });
  if (plan.calls) {
    const calls = plan.calls;
    event(
      Array.from({ length: plan.candidateCount }, (_, index) =>
        indexed(index, { content: { parts: calls.map((functionCall) => ({ functionCall })), role: 'model' }, finishReason: 'STOP' }),
      ),
      true,
    );
    response.end();
    return;
  }
  const pieces = words(plan.text);
  for (const [position, piece] of pieces.entries()) {
    if (position > 0 && behaviour.chunkDelayMs) await context.sleep(behaviour.chunkDelayMs);
    if (context.closed()) return;
    const final = position === pieces.length - 1;
    event(
      Array.from({ length: plan.candidateCount }, (_, index) =>
        indexed(index, {
          content: { parts: [{ text: piece }], role: 'model' },
          ...(final ? { finishReason: 'STOP' } : {}),
          ...(plan.logprobs ? { logprobsResult: logprobsResult([piece], plan.logprobs.top) } : {}),
        }),
      ),
      final,
    );
  }
  response.end();
}

function embed(response: ServerResponse, model: string, body: Json) {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0)
    throw new InvalidArgument('* BatchEmbedContentsRequest.requests: requests is not specified');
  const embeddings = (requests as Array<{ model?: string; content?: Content; outputDimensionality?: number }>).map((request, index) => {
    if (request.model !== `models/${model}`) {
      throw new InvalidArgument(`* BatchEmbedContentsRequest.requests[${index}].model: model must match the parent model ${model}.`);
    }
    if (!request.content?.parts?.length)
      throw new InvalidArgument(`* BatchEmbedContentsRequest.requests[${index}].content.parts: must not be empty.`);
    const length = request.outputDimensionality ?? 8;
    const count = countWords(request.content);
    return { values: Array.from({ length }, (_, i) => ((count + i) % 7) / 7) };
  });
  sendJson(response, { embeddings });
}

function listModels(response: ServerResponse, url: URL) {
  const pageSize = Number(url.searchParams.get('pageSize') ?? 50) || 50;
  const offset = Number(url.searchParams.get('pageToken') ?? 0) || 0;
  const page = GEMINI_MOCK_MODELS.slice(offset, offset + pageSize);
  const next = offset + pageSize < GEMINI_MOCK_MODELS.length ? String(offset + pageSize) : undefined;
  sendJson(response, {
    models: page.map((id) => ({
      name: `models/${id}`,
      displayName: id,
      supportedGenerationMethods: id.includes('embedding') ? ['embedContent'] : ['generateContent', 'countTokens'],
    })),
    ...(next ? { nextPageToken: next } : {}),
  });
}

export const handleGemini: FormatHandler = async (request, response, context) => {
  const { behaviour, body, url } = context;
  if (behaviour.status && behaviour.status >= 300) {
    sendError(response, behaviour.status, SCRIPTED_MESSAGES[behaviour.status] ?? `Scripted failure ${behaviour.status}`);
    return;
  }
  const route = /\/models\/([^:/]+):([A-Za-z]+)$/.exec(url.pathname);
  try {
    if (request.method === 'GET' && !route && url.pathname.endsWith('/models')) return listModels(response, url);
    if (request.method !== 'POST' || !route) {
      sendError(response, 404, `Method not found: ${request.method} ${url.pathname}`);
      return;
    }
    const [, model, method] = route;
    if (method === 'batchEmbedContents') return embed(response, model, body);
    if (method !== 'generateContent' && method !== 'streamGenerateContent') {
      sendError(response, 404, `Method not found: ${method}`);
      return;
    }
    checkRequest(body);
    const planned = plan(model, body, context);
    if (method === 'generateContent') return generate(response, planned, behaviour.noUsage === true);
    if (url.searchParams.get('alt') !== 'sse') {
      // Without alt=sse Gemini streams one JSON array; the adapter never asks for it.
      sendError(response, 400, 'The mock streams only with alt=sse.');
      return;
    }
    await stream(response, planned, context);
  } catch (error) {
    if (!(error instanceof InvalidArgument)) throw error;
    sendError(response, 400, error.message);
  }
};

formats.gemini = handleGemini;
