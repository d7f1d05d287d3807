/**
 * Group commit: many callers' rows share one write. A caller's promise resolves once its row is
 * durably written. When no write is in flight the batch is written at once (no added latency at
 * low load); while one is, rows accumulate and go in the next write, up to `maxBatch` rows.
 * A failed write fails every caller in it; the caller decides what that means.
 *
 * @example
 * const usage = createGroupCommit({ write: (rows) => insertMany(rows) });
 * await usage.add(row); // durable now
 */
export interface GroupCommit<Row> {
  add(row: Row): Promise<void>;
  /** Rows waiting or being written. */
  readonly pending: number;
  /** Writes everything waiting; resolves when done. */
  flush(): Promise<void>;
}

export interface GroupCommitOptions<Row> {
  write(rows: Row[]): Promise<void>;
  maxBatch?: number;
  /** Wait this long for more rows before a write (0: write as soon as the previous one is done). */
  lingerMs?: number;
  /** Writes in flight at once (default 1). More lets a multi-core database work on several batches. */
  concurrency?: number;
}

interface Waiting<Row> {
  row: Row;
  resolve(): void;
  reject(error: unknown): void;
}

export function createGroupCommit<Row>(options: GroupCommitOptions<Row>): GroupCommit<Row> {
  const maxBatch = options.maxBatch ?? 500;
  const lingerMs = options.lingerMs ?? 0;
  const concurrency = options.concurrency ?? 1;
  let queue: Waiting<Row>[] = [];
  let writing = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  const idle: Array<() => void> = [];

  async function writeBatch() {
    timer = undefined;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    if (!batch.length) return;
    writing++;
    inFlight += batch.length;
    try {
      await options.write(batch.map((waiting) => waiting.row));
      for (const waiting of batch) waiting.resolve();
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      writing--;
      inFlight -= batch.length;
      schedule();
      if (!writing && !queue.length) for (const resolve of idle.splice(0)) resolve();
    }
  }

  function schedule() {
    if (!queue.length || timer) return;
    // Few writes at a time keeps batches growing under load; a full batch goes at once.
    if (writing >= concurrency && queue.length < maxBatch) return;
    if (lingerMs > 0 && queue.length < maxBatch) timer = setTimeout(writeBatch, lingerMs);
    else void writeBatch();
  }

  return {
    add(row) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ row, resolve, reject });
        schedule();
      });
    },
    get pending() {
      return queue.length + inFlight;
    },
    flush() {
      if (!writing && !queue.length) return Promise.resolve();
      return new Promise<void>((resolve) => {
        idle.push(resolve);
        if (timer) {
          clearTimeout(timer);
          void writeBatch();
        }
      });
    },
  };
}
