/**
 * Open-model load for the bench: virtual helpers who each send one request at a time, at
 * moments drawn from a Poisson process, so that the requests of all of them together arrive
 * at a target rate without the bursts of a closed loop (autocannon's `overallRate` releases
 * its connections' requests together at each tick, which measures its own queue).
 *
 * Each virtual helper has its own keep-alive connection and its own Poisson process of rate
 * `rate / helpers`: the gaps between its planned sends are exponential. When a send is due
 * while the helper's previous request is still in flight, it waits for that answer (one
 * request at a time per helper) and the wait counts in the latency: latency runs from the
 * planned moment, not from the actual send, so that a slow server is not hidden by the
 * senders slowing down with it ("coordinated omission"). `late` counts such sends.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { prng } from '../src/platform/random.ts';

export type ArrivalRequest = {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
};

export type ArrivalJob = {
  /** Scheme, host and port (`http://127.0.0.1:1234`). */
  origin: string;
  /**
   * Several app processes behind a load balancer: helper `i` sends to `origins[i % n]`, and a
   * request whose connection is refused (nothing was sent: the process is down) goes to the
   * next one, as a proxy does. Default: `[origin]`.
   */
  origins?: readonly string[];
  /** Told of every measured request, answered or not (`body` when `keepBody`). */
  onAnswer?: (answer: Answer) => void;
  keepBody?: boolean;
  /** Virtual helper `i` sends `requests[i % requests.length]`. */
  requests: readonly ArrivalRequest[];
  /** Requests per second over all helpers together. */
  rate: number;
  helpers: number;
  warmupSec: number;
  durationSec: number;
  timeoutSec: number;
  /** Seed of the draws: the same schedule on every run. */
  seed?: number;
  /**
   * Ends the measured span early when its first 32-bit integer becomes 1 (set by the thread
   * doing the work measured, whose length is not known beforehand): sends planned before then
   * are still made and counted.
   */
  stop?: SharedArrayBuffer;
};

export type ArrivalResult = {
  requests: number;
  durationSec: number;
  /** Answers per second over the measured span. */
  rps: number;
  latencyMs: { p50: number; p95: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Sends that waited for the helper's previous answer. */
  late: number;
  /** Requests refused by a process that was down, and sent to the next one. */
  rerouted: number;
};

export type Answer = {
  request: ArrivalRequest;
  /** HTTP status, or 0 when there was no answer. */
  status: number;
  error?: 'timeout' | 'error';
  body?: string;
  /** When it answered (performance.now()) and its latency from the planned send. */
  at: number;
  latencyMs: number;
};

/** An exponential gap of mean `meanMs`. */
const exponential = (random: () => number, meanMs: number) => -Math.log(1 - random()) * meanMs;

type Outcome = { status: number; body?: string } | { error: 'timeout' | 'error' } | { error: 'refused' };

function send(
  agent: http.Agent,
  origin: URL,
  request: ArrivalRequest,
  timeoutMs: number,
  keepBody = false,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const req = http.request(
      {
        agent,
        host: origin.hostname,
        port: origin.port,
        method: request.method ?? 'GET',
        path: request.path,
        headers: { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          if (keepBody) chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            ...(keepBody ? { body: Buffer.concat(chunks).toString('utf8') } : {}),
          }),
        );
        response.on('error', () => resolve({ error: 'error' }));
      },
    );
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ error: 'timeout' });
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code === 'ECONNREFUSED' ? 'refused' : 'error' }),
    );
    req.end(body);
  });
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Runs the job: a warm-up whose answers are not counted, then `durationSec` measured. Every
 * request planned inside the measured span is counted, even when it answers after it.
 */
export async function poissonLoad(job: ArrivalJob): Promise<ArrivalResult> {
  const random = prng(job.seed ?? 2026);
  const meanGapMs = (1000 * job.helpers) / job.rate;
  const timeoutMs = job.timeoutSec * 1000;
  const start = performance.now();
  const measuredFrom = start + job.warmupSec * 1000;
  const end = measuredFrom + job.durationSec * 1000;
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let late = 0;
  let rerouted = 0;
  const origins = (job.origins ?? [job.origin]).map((o) => new URL(o));
  let lastAnswer = measuredFrom;
  const flag = job.stop ? new Int32Array(job.stop) : undefined;
  // When the flag rose, read every few milliseconds: the sends planned before it are still all
  // made and counted, those of a helper held up by a slow answer included (their wait is what
  // the span measures), and none planned after it.
  let stoppedAt = Number.POSITIVE_INFINITY;
  const watch = flag
    ? setInterval(() => {
        if (stoppedAt === Number.POSITIVE_INFINITY && Atomics.load(flag, 0) === 1)
          stoppedAt = performance.now();
      }, 5)
    : undefined;

  const helper = async (index: number) => {
    const agents = origins.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    const request = job.requests[index % job.requests.length]!;
    const home = index % origins.length;
    /** To its own process; when that one refuses the connection, to the next that accepts it. */
    const dispatch = async (): Promise<Exclude<Outcome, { error: 'refused' }>> => {
      for (let k = 0; k < origins.length; k++) {
        const i = (home + k) % origins.length;
        const outcome = await send(agents[i]!, origins[i]!, request, timeoutMs, job.keepBody);
        if (!('error' in outcome) || outcome.error !== 'refused') return outcome;
        rerouted++;
      }
      return { error: 'error' };
    };
    // Each helper's first send falls anywhere in its first gap, as in a process already running.
    let planned = start + exponential(random, meanGapMs);
    try {
      while (planned < Math.min(end, stoppedAt)) {
        const wait = planned - performance.now();
        if (wait > 0) await sleep(wait);
        else if (wait < -1) late += planned >= measuredFrom ? 1 : 0;
        const outcome = await dispatch();
        const answered = performance.now();
        if (planned >= measuredFrom) {
          latencies.push(answered - planned);
          job.onAnswer?.({
            request,
            status: 'status' in outcome ? outcome.status : 0,
            ...('error' in outcome ? { error: outcome.error } : {}),
            ...('body' in outcome ? { body: outcome.body } : {}),
            at: answered,
            latencyMs: answered - planned,
          });
          lastAnswer = Math.max(lastAnswer, answered);
          if ('error' in outcome) {
            if (outcome.error === 'timeout') timeouts++;
            else errors++;
          } else if (outcome.status < 200 || outcome.status > 299) non2xx++;
        }
        planned += exponential(random, meanGapMs);
      }
    } finally {
      for (const agent of agents) agent.destroy();
    }
  };
  try {
    await Promise.all(Array.from({ length: job.helpers }, (_, i) => helper(i)));
  } finally {
    clearInterval(watch);
  }

  const sorted = Float64Array.from(latencies).sort();
  const span = (lastAnswer - measuredFrom) / 1000;
  const durationSec = flag ? span : Math.max(job.durationSec, span);
  return {
    requests: latencies.length,
    durationSec,
    rps: latencies.length / durationSec,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) },
    non2xx,
    errors,
    timeouts,
    late,
    rerouted,
  };
}
