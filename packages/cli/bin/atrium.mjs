#!/usr/bin/env node
// Runs the CLI's TypeScript sources directly (tsx), so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/index.ts');
process.exitCode = await run(process.argv.slice(2));
