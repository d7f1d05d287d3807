import cluster from 'node:cluster';
import { createAtrium } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './kernel/db/database.ts';
import { migrate } from './kernel/db/migrate.ts';
import { StartupError } from './kernel/errors.ts';
import { createLogger } from './kernel/telemetry/logger.ts';

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

  if (config.processes > 1 && cluster.isPrimary) return runPrimary(config);
  const worker = cluster.isWorker;
  // Forked processes share the port; the primary already migrated the database.
  const atrium = await createAtrium(config, { skipMigrations: worker });
  const address = await atrium.start();
  const log = atrium.kernel.log;
  if (config.processesNote) log.warn(config.processesNote);
  if (worker) {
    const port = (atrium.http.server.address() as { port: number }).port;
    log.info({ port }, 'server process ready');
    process.send?.({ type: 'listening', port });
  } else if (address) {
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
    // A forked process's IPC channel would keep it alive after everything else closed.
    if (worker) process.disconnect();
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * The primary of a multi-process server: migrates once, forks `processes` copies that share the
 * port (the kernel balances connections), replaces one that dies, and on SIGTERM stops them all
 * gracefully.
 */
async function runPrimary(config: Config) {
  const log = createLogger(config.logLevel);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(database);
  await database.close();
  let stopping = false;
  let announced = false;
  const fork = () =>
    cluster.fork().on('message', (message: { type?: string; port?: number }) => {
      if (message.type !== 'listening' || announced) return;
      announced = true;
      const url = config.publicUrl ?? `http://localhost:${message.port}`;
      log.info(
        { mode: config.mode, port: message.port, processes: config.processes, database: 'postgres', cache: 'redis' },
        'Atrium is running',
      );
      console.log(`\n  Atrium console  ${url}\n  API reference   ${url}/docs\n`);
    });
  for (let index = 0; index < config.processes; index++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.error({ pid: worker.process.pid, code, signal }, 'a server process exited; starting another');
    fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
    let remaining = workers.length;
    if (!remaining) process.exit(0);
    for (const worker of workers) {
      worker.once('exit', () => {
        if (--remaining === 0) process.exit(0);
      });
      worker.process.kill(signal);
    }
    setTimeout(() => process.exit(1), 35_000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof ConfigError || error instanceof StartupError) console.error(error.message);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
