/**
 * An error answered by the Atrium API, carrying the envelope's fields.
 *
 * @example
 * try { await atrium.workspaces.get('ws_missing') } catch (error) {
 *   if (error instanceof AtriumError && error.code === 'not_found') …
 * }
 */
export class AtriumError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly param: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(message);
    this.name = 'AtriumError';
  }
}
