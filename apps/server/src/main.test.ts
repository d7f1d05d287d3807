import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '../bin/atrium-server.mjs');
const children: ChildProcess[] = [];

function run(env: Record<string, string>, args: string[] = []) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return pattern.exec(output) as RegExpExecArray;
  };
  return { child, exited, waitFor, output: () => output };
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('atrium-server', () => {
  it('starts on the embedded database, refuses a second process on the same data, and stops gracefully', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'atrium-main-'));
    const server = run({ ATRIUM_DATA_DIR: dataDir });
    const [, port] = await server.waitFor(/"port":(\d+)/);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(existsSync(join(dataDir, 'master.key'))).toBe(true);

    const second = run({ ATRIUM_DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain('is in use by another Atrium process');
    expect(second.output()).not.toContain('    at ');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(join(dataDir, 'atrium.lock'))).toBe(false);
  }, 120_000);

  it('fails at start with a message naming an invalid variable', async () => {
    const server = run({ PORT: 'eighty' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('PORT');
    expect(server.output()).not.toContain('    at ');
  });

  it('requires a master key with an external database', async () => {
    const server = run({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('ATRIUM_MASTER_KEY');
  });
});
