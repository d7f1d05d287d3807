import { AsyncLocalStorage } from 'node:async_hooks';

/** Where a change came from: recorded with every domain event (and so in the audit log). */
export interface RequestContext {
  requestId: string;
  ip: string;
  userAgent?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `context` as the current request context. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The context of the request being handled, if any (jobs have none). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
