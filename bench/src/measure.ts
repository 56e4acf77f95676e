// Statistics and run loops shared by every scenario: median, percentiles, min-max, repeated runs.

/** Several measurements of one figure, summarised. */
export interface Sample {
  /** Median of `runs`. */
  median: number;
  min: number;
  max: number;
  /** Every measurement, in the order taken. */
  runs: number[];
}

/** The value at fraction `p` (0..1) of the sorted values, interpolated; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(1, Math.max(0, p)) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low]!;
  return lowValue + (sorted[high]! - lowValue) * (rank - low);
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** Summarises measurements into median and min-max. */
export function sample(runs: readonly number[]): Sample {
  return {
    median: median(runs),
    min: runs.length ? Math.min(...runs) : Number.NaN,
    max: runs.length ? Math.max(...runs) : Number.NaN,
    runs: [...runs],
  };
}

/** Milliseconds since an arbitrary origin, sub-millisecond resolution. */
export function now(): number {
  return performance.now();
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with `what` after `ms`, unless `promise` settles first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `once` `count` times in a row and returns the measurements. */
export async function repeat(
  count: number,
  once: (run: number) => Promise<number>,
): Promise<number[]> {
  const results: number[] = [];
  for (let run = 0; run < count; run++) results.push(await once(run));
  return results;
}

/**
 * Runs each measurement `count` times, rotating which goes first each round, so that a drift of
 * the machine over the run favours none of them. Returns the values per measurement.
 */
export async function interleaveAll(
  count: number,
  measures: ((run: number) => Promise<number>)[],
): Promise<number[][]> {
  const results = measures.map(() => [] as number[]);
  for (let run = 0; run < count; run++) {
    for (let k = 0; k < measures.length; k++) {
      const i = (run + k) % measures.length;
      results[i]!.push(await measures[i]!(run));
    }
  }
  return results;
}

/** `interleaveAll` for a subject and its baseline. */
export async function interleave(
  count: number,
  baseline: (run: number) => Promise<number>,
  subject: (run: number) => Promise<number>,
): Promise<{ baseline: number[]; subject: number[] }> {
  const [baselineRuns = [], subjectRuns = []] = await interleaveAll(count, [baseline, subject]);
  return { baseline: baselineRuns, subject: subjectRuns };
}

/** Rounds for display: 3 significant digits, at most 2 decimals for large numbers. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  if (Math.abs(value) >= 100) return Math.round(value * 10) / 10;
  return Number(value.toPrecision(3));
}
