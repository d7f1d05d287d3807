import type { Command } from 'commander';
import type { CliEnvironment } from './config.ts';
import { type Connection, connect, type GlobalOptions } from './connection.ts';
import { createOutput, type Output, type Writer } from './output.ts';
import type { Prompter } from './prompts.ts';

/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  stdout: Writer;
  stderr: Writer;
  /** Read by `login --password-stdin`. */
  stdin: AsyncIterable<string | Buffer>;
  /** Settings from environment variables (see `config.ts`). */
  environment: CliEnvironment;
  /** Present when there is a terminal to ask on; `login` prompts only then. */
  prompter?: Prompter;
  fetch?: typeof fetch;
}

/** What a command's action works with. */
export interface CommandContext<Options> {
  options: Options & GlobalOptions;
  output: Output;
  io: CliIo;
  /** An authenticated client (see `connect`). */
  connect(): Promise<Connection>;
}

/**
 * The context of a running command: its options merged with the global ones, and its output.
 *
 * @example
 * .action(async (options, command) => {
 *   const { client } = await commandContext(command, io).connect();
 * })
 */
export function commandContext<Options = Record<string, unknown>>(command: Command, io: CliIo): CommandContext<Options> {
  const options = command.optsWithGlobals<Options & GlobalOptions>();
  return {
    options,
    output: createOutput(io, options.json === true),
    io,
    connect: () => connect(options, { environment: io.environment, fetch: io.fetch }),
  };
}
