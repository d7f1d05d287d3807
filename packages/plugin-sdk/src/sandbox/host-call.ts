import type { HostCall } from './types.ts';

/**
 * Runs one host call for a guest on the calling thread and turns the answer into what crosses
 * back to the worker: JSON text, a rejection message (never a stack), or a host fault when the
 * answer is not JSON.
 */

export type HostAnswer = { ok: true; json: string } | { ok: false; message: string } | { ok: false; notJson: true };

export async function answerHostCall(onHost: (call: HostCall) => Promise<unknown>, fn: string, argsText: string): Promise<HostAnswer> {
  let value: unknown;
  try {
    value = await onHost({ fn, args: JSON.parse(argsText) as unknown[] });
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  try {
    const json = JSON.stringify(value === undefined ? null : value);
    if (typeof json === 'string') return { ok: true, json };
  } catch {
    // Cyclic values and BigInt: not JSON either.
  }
  return { ok: false, notJson: true };
}
