import type { ChatMessage, ChatRequest } from '@atrium/sdk';
import { type Command, InvalidArgumentError } from 'commander';
import { type CliIo, commandContext } from '../context.ts';
import { UsageError } from '../output.ts';
import { wholeNumber } from '../parsers.ts';
import { readSecret } from '../prompts.ts';

interface ChatOptions {
  system?: string;
  maxTokens?: number;
  temperature?: number;
  workspace?: string;
}

const temperature = (value: string) => {
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed >= 0 && parsed <= 2)) throw new InvalidArgumentError('expected a number from 0 to 2');
  return parsed;
};

/** The message: the argument, else a prompt on a terminal, else stdin to its end. */
async function messageOf(argument: string | undefined, io: CliIo): Promise<string> {
  if (argument !== undefined) return argument;
  const text = io.prompter ? await io.prompter.text('Message') : (await readSecret(io.stdin)).trim();
  if (!text) throw new UsageError('no message: pass it as an argument or on stdin');
  return text;
}

/**
 * Adds `chat <model> [message]`: one turn through the AI gateway, the reply streamed to stdout.
 *
 * @example
 * registerChat(program, io); // echo "Summarize this" | atrium chat openai/gpt-4o-mini
 */
export function registerChat(program: Command, io: CliIo): void {
  program
    .command('chat')
    .description('send one message through the AI gateway and stream the reply to stdout')
    .argument('<model>', 'a route alias or <provider>/<model>')
    .argument('[message]', 'what to say (default: read from stdin)')
    .option('--system <text>', 'a system message sent first')
    .option('--max-tokens <n>', 'the longest reply, in tokens', wholeNumber(1))
    .option('--temperature <t>', 'sampling temperature (0–2)', temperature)
    .option('--workspace <id>', 'with a signed-in session: the workspace whose policies and usage apply (ws_…)')
    .action(async (model: string, argument: string | undefined, _options, command: Command) => {
      const context = commandContext<ChatOptions>(command, io);
      const { system, maxTokens, temperature, workspace } = context.options;
      const messages: ChatMessage[] = [];
      if (system) messages.push({ role: 'system', content: system });
      messages.push({ role: 'user', content: await messageOf(argument, io) });
      const request: ChatRequest = { model, messages, max_tokens: maxTokens, temperature };
      const { client } = await context.connect();
      const options = { workspaceId: workspace };

      if (context.output.json) {
        // JSON output is the API's completion object, so there is nothing to stream.
        context.output.print(await client.chat.create(request, options), () => '');
        return;
      }
      const stream = await client.chat.stream(request, options);
      let last = '\n';
      try {
        for await (const chunk of stream) {
          const text = chunk.choices.find((choice) => choice.index === 0)?.delta.content;
          if (!text) continue;
          io.stdout.write(text);
          last = text;
        }
      } finally {
        // End the reply's line, also when the stream broke off (the error goes to stderr).
        if (!last.endsWith('\n')) io.stdout.write('\n');
      }
    });
}
