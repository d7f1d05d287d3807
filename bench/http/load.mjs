/**
 * The load generator, in a worker thread so the client does not share the server's event loop
 * (plain JavaScript: Node 20 does not apply `--import tsx` inside worker threads).
 * Runs one autocannon run and posts back its req/s, error counts and every 2xx response time
 * (autocannon's own histogram keeps whole milliseconds only; these are hrtime, sub-microsecond).
 *
 * workerData: { url, connections, duration, headers }
 * message:    { rps, requests, errors, timeouts, non2xx, samples: Float64Array (ms) }
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const samples = [];
const options = { ...workerData, timeout: 10 };
const instance = autocannon(options, (error, result) => {
  if (error) throw error;
  // Off the main thread autocannon hands back raw counters (no per-second histogram); req/s is
  // completed requests over the run's duration.
  const message = {
    rps: result.totalCompletedRequests / result.duration,
    requests: result.totalCompletedRequests,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    samples: Float64Array.from(samples),
  };
  parentPort.postMessage(message, [message.samples.buffer]);
});
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (statusCode >= 200 && statusCode < 300) samples.push(responseTime);
});
