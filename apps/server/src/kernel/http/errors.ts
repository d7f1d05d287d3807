import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorType } from '../errors.ts';

export interface ErrorEnvelope {
  error: { type: ErrorType; code: string; message: string; param?: string; request_id: string; [detail: string]: unknown };
  [detail: string]: unknown;
}

/** `/messages/0/role` → `messages[0].role` */
function toParam(instancePath: string): string | undefined {
  const parts = instancePath.split('/').filter(Boolean);
  if (!parts.length) return undefined;
  return parts.map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index ? `.${part}` : part)).join('');
}

const FASTIFY_CODES: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json', message: 'The request body is empty; send a JSON object.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Send the body as application/json.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length', message: 'Content-Length does not match the body.' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'body_too_large', message: 'The request body is too large.' },
};

/** Maps every error to the one envelope. 5xx details go to the log, never to the client. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(function handleError(error: FastifyError, request, reply) {
    const requestId = String(request.id);
    const send = (status: number, type: ErrorType, code: string, message: string, param?: string, details?: AppError) => {
      const extra = details?.details ?? {};
      const body: ErrorEnvelope = {
        ...(details?.atRoot ? { code, ...extra } : {}),
        error: { type, code, message, ...(param ? { param } : {}), ...extra, request_id: requestId },
      };
      return reply.code(status).type('application/json').send(body);
    };

    if (hasZodFastifySchemaValidationErrors(error)) {
      const first = error.validation[0];
      const where = error.validationContext ?? 'body';
      const param = toParam(first?.instancePath ?? '') ?? (first?.params as { issue?: { path?: unknown[] } })?.issue?.path?.join('.');
      const message = `Invalid ${where}${param ? ` field '${param}'` : ''}: ${first?.message ?? 'invalid value'}`;
      return send(400, 'invalid_request_error', 'invalid_value', message, param || (where === 'body' ? undefined : where));
    }
    if (error instanceof AppError) {
      if (error.headers) reply.headers(error.headers);
      if (error.status >= 500 && !error.expose) request.log.error({ err: error }, 'request failed');
      return send(error.status, error.type, error.code, error.expose ? error.message : 'Something went wrong.', error.param, error);
    }
    const known = error.code ? FASTIFY_CODES[error.code] : undefined;
    if (known) return send(known.status, 'invalid_request_error', known.code, known.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return send(error.statusCode, 'invalid_request_error', 'invalid_request', error.message);
    }
    request.log.error({ err: error }, 'unhandled error');
    return send(500, 'api_error', 'internal_error', 'Something went wrong. Quote the request id when reporting this.');
  });

  app.setNotFoundHandler(function handleNotFound(request, reply) {
    const body: ErrorEnvelope = {
      error: {
        type: 'not_found_error',
        code: 'route_not_found',
        message: `No route ${request.method} ${request.url.split('?')[0]}.`,
        request_id: String(request.id),
      },
    };
    return reply.code(404).send(body);
  });
}
