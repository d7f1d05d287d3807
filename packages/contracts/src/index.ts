/**
 * Schemas shared by the server, the console and the SDK.
 *
 * @example
 * import { SignupBody } from '@atrium/contracts';
 * SignupBody.parse({ email, password, name, organization });
 */
export * from './common.ts';
export * from './events.ts';
export * from './identity.ts';
export * from './plugins.ts';
export * from './tenancy.ts';
