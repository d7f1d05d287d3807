import { cleanSchema, functionParameters } from './gemini-schema.ts';
import { type ChatMessage, type ChatRequest, type ContentPart, GatewayError } from './types.ts';

/** Gemini's wire types (the parts Atrium reads or writes) and the OpenAI → Gemini request translation. */
// ---------------------------------------------------------------------------------------------
// Gemini wire types (the parts Atrium reads or writes)

export type JsonObject = Record<string, unknown>;

export interface GeminiPart {
  text?: string;
  thought?: boolean;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType: string; fileUri: string };
  functionCall?: { name: string; args?: JsonObject; id?: string };
  functionResponse?: { name: string; response: JsonObject };
  [key: string]: unknown;
}

export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

export interface GeminiLogprobCandidate {
  token?: string;
  tokenId?: number;
  logProbability?: number;
}

export interface GeminiCandidate {
  index?: number;
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  logprobsResult?: {
    topCandidates?: Array<{ candidates?: GeminiLogprobCandidate[] }>;
    chosenCandidates?: GeminiLogprobCandidate[];
  };
}

export interface GeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  totalTokenCount?: number;
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  responseId?: string;
  modelVersion?: string;
  error?: { code?: number; message?: string; status?: string };
}

/** A translation failure: the client's request cannot be expressed for Gemini (400 naming the field). */
export function invalid(param: string, message: string): GatewayError {
  return new GatewayError(400, 'invalid_request_error', 'invalid_value', message, { param });
}

// ---------------------------------------------------------------------------------------------
// Request translation

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  bmp: 'image/bmp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  mp4: 'video/mp4',
};

function mimeFromUrl(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not absolute: read the text as it is.
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (extension && MIME_BY_EXTENSION[extension]) || 'image/jpeg';
}

/** `data:<mime>[;base64],<payload>` as Gemini's inline data (always base64). */
function inlineDataOf(url: string, param: string): GeminiPart {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match) throw invalid(param, 'The data URL is malformed.');
  const mimeType = match[1] || 'application/octet-stream';
  const base64 = match[2].split(';').includes('base64');
  const data = base64 ? match[3] : Buffer.from(decodeURIComponent(match[3]), 'utf8').toString('base64');
  return { inlineData: { mimeType, data } };
}

function mediaPart(url: string, param: string): GeminiPart {
  if (url.startsWith('data:')) return inlineDataOf(url, param);
  if (/^https?:\/\//i.test(url)) return { fileData: { mimeType: mimeFromUrl(url), fileUri: url } };
  throw invalid(param, 'Only data: and http(s) URLs can be sent to Gemini.');
}

function contentParts(content: ChatMessage['content'], param: string): GeminiPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) throw invalid(param, 'Message content must be a string or an array of parts.');
  const parts: GeminiPart[] = [];
  content.forEach((part: ContentPart, index) => {
    const where = `${param}.${index}`;
    const record = part as JsonObject;
    if (part.type === 'text' || part.type === 'refusal') {
      const text = String(record.text ?? record.refusal ?? '');
      if (text !== '') parts.push({ text });
    } else if (part.type === 'image_url') {
      const image = record.image_url as { url?: string } | string | undefined;
      const url = typeof image === 'string' ? image : image?.url;
      if (!url) throw invalid(where, 'An image_url part needs a url.');
      parts.push(mediaPart(url, where));
    } else if (part.type === 'input_audio') {
      const audio = record.input_audio as { data?: string; format?: string } | undefined;
      if (!audio?.data) throw invalid(where, 'An input_audio part needs data.');
      parts.push({ inlineData: { mimeType: `audio/${audio.format ?? 'wav'}`, data: audio.data } });
    } else if (part.type === 'file') {
      const file = record.file as { file_data?: string; file_id?: string; filename?: string } | undefined;
      if (file?.file_data?.startsWith('data:')) parts.push(inlineDataOf(file.file_data, where));
      else if (file?.file_data) parts.push({ inlineData: { mimeType: mimeFromUrl(file.filename ?? ''), data: file.file_data } });
      else if (file?.file_id && /^https?:\/\//i.test(file.file_id))
        parts.push({ fileData: { mimeType: mimeFromUrl(file.file_id), fileUri: file.file_id } });
      else throw invalid(where, 'A file part needs file_data.');
    } else {
      throw invalid(where, `Content parts of type '${part.type}' cannot be sent to Gemini.`);
    }
  });
  return parts;
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (part.type === 'text' ? String((part as { text?: string }).text ?? '') : ''))
    .filter(Boolean)
    .join('\n');
}

function parseArguments(text: string | undefined): JsonObject {
  if (!text || text.trim() === '') return {};
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as JsonObject;
    return { value: parsed };
  } catch {
    // Invalid JSON in the history: keep the text rather than fail the conversation.
    return { arguments: text };
  }
}

function toolResult(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { result: text };
  }
}

interface Translated {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
}

function translateMessages(messages: ChatMessage[]): Translated {
  if (!Array.isArray(messages)) throw invalid('messages', 'messages must be an array.');
  const system: string[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();
  const push = (role: GeminiContent['role'], parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  messages.forEach((message, index) => {
    const param = `messages.${index}.content`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOf(message.content);
        if (text !== '') system.push(text);
        break;
      }
      case 'user':
        push('user', contentParts(message.content, param));
        break;
      case 'assistant': {
        const parts = contentParts(message.content, param);
        for (const call of message.tool_calls ?? []) {
          if (call.id) toolNames.set(call.id, call.function.name);
          const signature = (call as { extra_content?: { google?: { thought_signature?: unknown } } }).extra_content?.google
            ?.thought_signature;
          parts.push({
            functionCall: { name: call.function.name, args: parseArguments(call.function.arguments) },
            ...(typeof signature === 'string' ? { thoughtSignature: signature } : {}),
          });
        }
        push('model', parts);
        break;
      }
      case 'tool': {
        const name = (message.tool_call_id && toolNames.get(message.tool_call_id)) || message.name;
        if (!name)
          throw invalid(`messages.${index}.tool_call_id`, `No earlier assistant tool call has the id '${message.tool_call_id ?? ''}'.`);
        push('user', [{ functionResponse: { name, response: { content: toolResult(textOf(message.content)) } } }]);
        break;
      }
      case 'function': {
        // OpenAI's legacy function role: the name travels on the message itself.
        if (!message.name) throw invalid(`messages.${index}.name`, 'A function message needs a name.');
        push('user', [{ functionResponse: { name: message.name, response: { content: toolResult(textOf(message.content)) } } }]);
        break;
      }
      default:
        throw invalid(`messages.${index}.role`, `The role '${message.role}' is not supported.`);
    }
  });
  return { contents, ...(system.length ? { systemInstruction: { parts: system.map((text) => ({ text })) } } : {}) };
}

function translateTools(tools: unknown): JsonObject[] | undefined {
  if (tools === undefined || tools === null) return undefined;
  if (!Array.isArray(tools)) throw invalid('tools', 'tools must be an array.');
  if (tools.length === 0) return undefined;
  const declarations = tools.map(
    (tool: { type?: string; function?: { name?: string; description?: string; parameters?: unknown } }, index) => {
      if (tool.type !== 'function' || !tool.function?.name)
        throw invalid(`tools.${index}`, 'Only function tools with a name can be sent to Gemini.');
      const parameters = functionParameters(tool.function.parameters);
      return {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        ...(parameters ? { parameters } : {}),
      };
    },
  );
  return [{ functionDeclarations: declarations }];
}

function translateToolChoice(choice: unknown): JsonObject | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const name = (choice as { function?: { name?: string } }).function?.name;
  if (typeof choice === 'object' && name) return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  throw invalid('tool_choice', "tool_choice must be 'auto', 'none', 'required' or a named function.");
}

function generationConfig(request: ChatRequest): JsonObject | undefined {
  const config: JsonObject = {};
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) config[key] = value;
  };
  set('temperature', number(request.temperature));
  set('topP', number(request.top_p));
  set('topK', number(request.top_k));
  set('maxOutputTokens', number(request.max_completion_tokens) ?? number(request.max_tokens));
  if (typeof request.stop === 'string') config.stopSequences = [request.stop];
  else if (Array.isArray(request.stop) && request.stop.length) config.stopSequences = request.stop;
  set('candidateCount', number(request.n));
  set('seed', number(request.seed));
  set('presencePenalty', number(request.presence_penalty));
  set('frequencyPenalty', number(request.frequency_penalty));
  const format = request.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  else if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.json_schema?.schema) config.responseSchema = cleanSchema(format.json_schema.schema);
  }
  if (request.logprobs === true) {
    config.responseLogprobs = true;
    set('logprobs', number(request.top_logprobs));
  }
  return Object.keys(config).length ? config : undefined;
}

/** An OpenAI chat request as a Gemini `GenerateContentRequest`. */
export function toGeminiRequest(request: ChatRequest): JsonObject {
  const { contents, systemInstruction } = translateMessages(request.messages);
  if (contents.length === 0) throw invalid('messages', 'Gemini needs at least one user or assistant message.');
  const tools = translateTools(request.tools);
  const toolConfig = tools ? translateToolChoice(request.tool_choice) : undefined;
  const config = generationConfig(request);
  return {
    contents,
    ...(systemInstruction ? { systemInstruction } : {}),
    ...(tools ? { tools } : {}),
    ...(toolConfig ? { toolConfig } : {}),
    ...(config ? { generationConfig: config } : {}),
  };
}
