import type { AtriumHost } from './host.ts';

declare global {
  /**
   * The host API as the sandbox provides it; functions the manifest does not grant are absent.
   * Prefer the `atrium` export of `@atrium/plugin-sdk`, whose error names the missing permission.
   *
   * @example
   * await globalThis.atrium?.log('info', 'started');
   */
  var atrium: AtriumHost | undefined;
}
