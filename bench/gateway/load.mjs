/**
 * The load generator of bench/gateway, in a worker thread (plain JavaScript: Node 20 does not
 * apply `--import tsx` inside workers). One run per worker; it posts back one message.
 *
 * workerData:
 *   { mode: 'closed', url, connections, duration, method, headers, body, header? }
 *       autocannon: `connections` keep-alive connections, each sending its next request as soon
 *       as the previous answer is complete (for a stream: its last byte).
 *   { mode: 'paced', url, connections, duration, rate, method, headers, body, header? }
 *       open loop: a request every 1/rate s on a keep-alive pool of at most `connections`
 *       sockets, whatever the answers do. autocannon's own `overallRate` is not used for this: it
 *       releases each connection's per-second quota back to back at every second boundary, so a
 *       "500 req/s" autocannon run is short bursts at full concurrency and its p99 is the
 *       saturated p99. A request's time runs from the moment it is issued (waiting for a free
 *       socket of the pool included: that is server-made queueing) to its last byte; the 1 ms
 *       send timer's own jitter is left out.
 *   `header`: a response header whose numeric value is averaged over the 2xx answers.
 *
 * message: { rps, requests, errors, timeouts, non2xx, samples: Float64Array (ms, 2xx only),
 *            headerSum, headerCount, firstError }
 */
import { Agent, request as httpRequest } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const options = workerData;
const samples = [];
let headerSum = 0;
let headerCount = 0;
let firstError = null;

function post(message) {
  message.samples = Float64Array.from(samples);
  message.headerSum = headerSum;
  message.headerCount = headerCount;
  message.firstError = firstError;
  parentPort.postMessage(message, [message.samples.buffer]);
}

function closed() {
  const wanted = options.header?.toLowerCase();
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.duration,
      method: options.method,
      headers: options.headers,
      body: options.body,
      timeout: 10,
      // http-parser-js hands the raw header list over as [name, value, name, value, …].
      setupClient: wanted
        ? (client) => {
            client.benchHeader = Number.NaN;
            client.on('headers', ({ headers }) => {
              client.benchHeader = Number.NaN;
              for (let index = 0; index < headers.length; index += 2) {
                if (headers[index].length === wanted.length && headers[index].toLowerCase() === wanted) {
                  client.benchHeader = Number(headers[index + 1]);
                  break;
                }
              }
            });
          }
        : undefined,
    },
    (error, result) => {
      if (error) throw error;
      // Off the main thread autocannon hands back raw counters; req/s is completed requests over the run.
      post({
        rps: result.totalCompletedRequests / result.duration,
        requests: result.totalCompletedRequests,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
      });
    },
  );
  // With pipelining 1 a connection's 'response' follows its own 'headers', before the next request's.
  instance.on('response', (client, statusCode, _bytes, responseTime) => {
    if (statusCode >= 200 && statusCode < 300) {
      samples.push(responseTime);
      if (wanted && Number.isFinite(client.benchHeader)) {
        headerSum += client.benchHeader;
        headerCount++;
      }
    } else if (!firstError) firstError = `HTTP ${statusCode}`;
  });
  instance.on('reqError', (error) => {
    firstError ??= String(error?.message ?? error);
  });
}

function paced() {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections, keepAliveMsecs: 1_000 });
  const body = Buffer.from(options.body ?? '');
  const headers = { ...options.headers, 'content-length': String(body.length) };
  const wanted = options.header?.toLowerCase();
  const interval = 1000 / options.rate;
  const start = performance.now();
  const end = start + options.duration * 1000;
  let scheduled = 0;
  let completed = 0;
  let errors = 0;
  let timeouts = 0;
  let non2xx = 0;
  let inFlight = 0;
  let finished = false;

  function finish() {
    if (finished) return;
    finished = true;
    agent.destroy();
    post({ rps: completed / options.duration, requests: completed, errors, timeouts, non2xx });
  }

  function send(due) {
    inFlight++;
    const sent = performance.now();
    let timedOut = false;
    const request = httpRequest(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: options.method, headers, timeout: 10_000 },
      (response) => {
        const status = response.statusCode ?? 0;
        const value = wanted ? Number(response.headers[wanted]) : Number.NaN;
        response.on('data', () => {});
        response.on('end', () => {
          const elapsed = performance.now() - sent;
          inFlight--;
          // Only answers that began inside the window count, as with autocannon's duration.
          if (due <= end) {
            completed++;
            if (status >= 200 && status < 300) {
              samples.push(elapsed);
              if (Number.isFinite(value)) {
                headerSum += value;
                headerCount++;
              }
            } else {
              non2xx++;
              firstError ??= `HTTP ${status}`;
            }
          }
          if (performance.now() >= end && inFlight === 0) finish();
        });
      },
    );
    request.on('timeout', () => {
      timedOut = true;
      timeouts++;
      request.destroy(new Error('timeout'));
    });
    request.on('error', (error) => {
      inFlight--;
      if (!timedOut) errors++;
      firstError ??= String(error.message);
      if (performance.now() >= end && inFlight === 0) finish();
    });
    request.end(body);
  }

  // A 1 ms timer sends whatever fell due since the last tick.
  const tick = () => {
    const now = performance.now();
    if (now >= end) {
      if (inFlight === 0) finish();
      // Whatever is still out gets 11 s (the request timeout plus a margin), then the run ends.
      else setTimeout(finish, 11_000).unref();
      return;
    }
    const due = Math.floor((now - start) / interval);
    while (scheduled <= due) send(start + scheduled++ * interval);
    setTimeout(tick, 1);
  };
  tick();
}

if (options.mode === 'paced') paced();
else closed();
