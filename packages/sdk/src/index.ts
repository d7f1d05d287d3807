/**
 * The Atrium TypeScript SDK.
 *
 * @example
 * import { createClient } from '@atrium/sdk';
 * const atrium = createClient({ baseUrl: 'http://localhost:3000', token: 'atr_live_…' });
 * console.log((await atrium.me()).organization.name);
 */
export { type AtriumClient, type ClientOptions, createClient, type RequestOptions } from './client.ts';
export { AtriumError } from './errors.ts';
export type * from './types.ts';
