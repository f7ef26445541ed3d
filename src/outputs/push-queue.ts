/**
 * The sending half of the push outputs (remote write, OTLP): one bounded
 * queue of encoded batches per output, drained by one sender in order.
 *
 * The generator only ever calls {@link PushQueue.push}, which appends and
 * returns: the HTTP request happens later on the event loop, so a slow or
 * dead receiver costs the run nothing but memory, and that is bounded (the
 * oldest batch is dropped when the queue is full). A batch that fails with
 * a network error, a timeout, 429 or 5xx is retried a bounded number of
 * times; a 4xx is final (the receiver refused the data; sending it again
 * would be refused again). Batches go one at a time so their samples
 * arrive in time order, which Prometheus requires per series.
 *
 * @module
 */

/** Tuning of a {@link PushQueue}; the defaults suit one batch a second. */
export interface PushQueueOptions {
  /** Batches kept waiting at most (default 120: two minutes of a dead receiver). */
  maxQueued?: number;
  /** Attempts per batch, the first included (default 3). */
  attempts?: number;
  /** Wait before the first retry (ms), doubled for each next one (default 500). */
  retryDelayMs?: number;
  /** Timeout of one HTTP request (ms, default 5000). */
  requestTimeoutMs?: number;
}

/** What a push output sends: the URL and the fixed headers of its protocol. */
export interface PushTarget {
  url: string;
  headers: Record<string, string>;
  /** For messages: the `--out` value, secrets redacted. */
  label: string;
  /**
   * Read a 2xx response body; return a message when it says part of the
   * batch was refused (OTLP's partial success), else undefined. Such a batch
   * is not sent again: the receiver has decided.
   */
  refusal?: (body: Uint8Array) => string | undefined;
}

/** A queue of batches for one receiver. */
export interface PushQueue {
  /** Queue one encoded batch (never throws, never waits). */
  push(body: Uint8Array): void;
  /**
   * Wait until every queued batch is sent or `timeoutMs` passes (the batch
   * in flight is then aborted); returns one warning when any batch was not
   * delivered, else none.
   */
  close(timeoutMs: number): Promise<string[]>;
  /** Counts so far, for tests and the warning (`partial`: delivered, but the receiver refused part of it). */
  stats(): { sent: number; failed: number; dropped: number; partial: number };
}

/**
 * Create the queue for `target`. Credentials in the URL
 * (`https://user:pass@host/…`) become a Basic `Authorization` header, since
 * fetch refuses URLs that carry them.
 */
export function createPushQueue(target: PushTarget, options: PushQueueOptions = {}): PushQueue {
  const maxQueued = options.maxQueued ?? 120;
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  const { url, headers } = withoutCredentials(target);
  const refusalOf = (bytes: Uint8Array): string | undefined => {
    try {
      return target.refusal?.(bytes);
    } catch {
      // A 2xx body we cannot read is still a delivery.
      return undefined;
    }
  };
  const queue: Uint8Array[] = [];
  let sent = 0;
  let failed = 0;
  let dropped = 0;
  let partial = 0;
  let lastError = '';
  let lastRefusal = '';
  let draining: Promise<void> | undefined;
  let closing = false;
  const aborter = new AbortController();

  const sendOnce = async (body: Uint8Array): Promise<{ ok: boolean; retry: boolean; error?: string; refusal?: string }> => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        // Encoders return views of plain (never shared) ArrayBuffers.
        body: body as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.any([aborter.signal, AbortSignal.timeout(requestTimeoutMs)]),
      });
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (response.ok) return { ok: true, retry: false, refusal: refusalOf(bytes) };
      const text = Buffer.from(bytes).toString('utf8');
      const retry = response.status === 429 || response.status >= 500;
      return { ok: false, retry, error: `HTTP ${response.status}${text.trim() ? `: ${text.trim().slice(0, 200)}` : ''}` };
    } catch (error) {
      const e = error as Error & { cause?: Error };
      return { ok: false, retry: true, error: e.cause?.message ?? e.message };
    }
  };

  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      // Taken off the queue while in flight, so an overflow drops only batches still waiting.
      const body = queue.shift()!;
      let outcome: Awaited<ReturnType<typeof sendOnce>> = { ok: false, retry: true };
      for (let attempt = 1; attempt <= attempts && !aborter.signal.aborted; attempt++) {
        outcome = await sendOnce(body);
        if (outcome.ok || !outcome.retry || attempt === attempts) break;
        await sleep(retryDelayMs * 2 ** (attempt - 1), aborter.signal);
      }
      if (outcome.ok) {
        sent += 1;
        if (outcome.refusal !== undefined) {
          partial += 1;
          lastRefusal = outcome.refusal;
        }
      } else {
        failed += 1;
        lastError = outcome.error ?? 'aborted at close';
      }
      if (aborter.signal.aborted) {
        failed += queue.length;
        queue.length = 0;
      }
    }
  };

  const kick = (): void => {
    draining ??= drain().finally(() => {
      draining = undefined;
      // A batch pushed while the last one was being settled.
      if (queue.length > 0 && !aborter.signal.aborted) kick();
    });
  };

  return {
    push(body) {
      if (closing) return;
      if (queue.length >= maxQueued) {
        queue.shift();
        dropped += 1;
      }
      queue.push(body);
      kick();
    },
    async close(timeoutMs) {
      closing = true;
      // Aborting ends the request in flight and any retry wait at once, so the drain settles right after.
      const timer = setTimeout(() => aborter.abort(), timeoutMs);
      while (draining) await draining;
      clearTimeout(timer);
      if (failed === 0 && dropped === 0 && partial === 0) return [];
      const parts = [
        failed > 0 ? `${failed} failed (last error: ${lastError})` : '',
        dropped > 0 ? `${dropped} dropped because the queue was full` : '',
        partial > 0 ? `${partial} partly refused by the receiver (last: ${lastRefusal})` : '',
      ].filter(Boolean);
      return [`--out ${target.label}: ${sent} of ${sent + failed + dropped} batches delivered; ${parts.join(', ')}`];
    },
    stats: () => ({ sent, failed, dropped, partial }),
  };
}

/** `url` without user info, plus a Basic `Authorization` header made of it. */
function withoutCredentials(target: PushTarget): { url: string; headers: Record<string, string> } {
  const url = new URL(target.url);
  if (url.username === '' && url.password === '') return { url: url.href, headers: target.headers };
  const basic = Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
  url.username = '';
  url.password = '';
  return { url: url.href, headers: { ...target.headers, authorization: `Basic ${basic}` } };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
