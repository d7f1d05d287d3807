/**
 * The Atrium TypeScript SDK.
 *
 * @example
 * import { createClient } from '@atrium/sdk';
 * const atrium = createClient({ baseUrl: 'http://localhost:3000', token: 'atr_live_…' });
 * console.log((await atrium.me()).organization.name);
 */
export { type ChatStream, openChatStream } from './chat.ts';
export { type AtriumClient, type ClientOptions, createClient, type GatewayCallOptions, type RequestOptions } from './client.ts';
export { AtriumError } from './errors.ts';
export { paginate } from './pagination.ts';
export { readServerSentEvents, type ServerSentEvent } from './sse.ts';
export type * from './types.ts';
