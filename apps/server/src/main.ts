import { createAtrium } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './kernel/db/database.ts';
import { migrate } from './kernel/db/migrate.ts';
import { StartupError } from './kernel/errors.ts';

const USAGE = `Usage: atrium-server [all|api|worker|migrate]

  all      API and workers in one process (default)
  api      HTTP only: enqueue jobs, do not run them
  worker   run jobs and schedules, no HTTP
  migrate  apply database migrations and exit

Configuration comes from the environment and .env; see docs/operations.md.`;

async function main(argv: string[]) {
  const command = argv[0] ?? 'all';
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return;
  }
  if (!['all', 'api', 'worker', 'migrate'].includes(command)) {
    console.error(`Unknown command '${command}'.\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  // An explicit command wins over ATRIUM_MODE; without one, ATRIUM_MODE (default all) decides.
  const config = loadConfig(argv[0] && command !== 'migrate' ? { ATRIUM_MODE: command } : {});
  if (command === 'migrate') {
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    await migrate(database);
    await database.close();
    console.log('Migrations applied.');
    return;
  }

  const atrium = await createAtrium(config);
  const address = await atrium.start();
  const log = atrium.kernel.log;
  if (address) {
    const port = (atrium.http.server.address() as { port: number }).port;
    const url = config.publicUrl ?? `http://localhost:${port}`;
    log.info({ mode: config.mode, port, database: atrium.kernel.database.kind, cache: atrium.kernel.cache.kind }, 'Atrium is running');
    console.log(`\n  Atrium console  ${url}\n  API reference   ${url}/docs\n`);
  } else log.info({ mode: config.mode }, 'Atrium worker is running');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 30_000);
    timer.unref();
    try {
      await atrium.close();
    } finally {
      clearTimeout(timer);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof ConfigError || error instanceof StartupError) console.error(error.message);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
