import { setImmediate } from 'node:timers/promises';

/**
 * Long work on the main thread (an import's parsing and checking), cut into slices of a few
 * milliseconds: `await pause()` between steps gives the event loop back once `budgetMs` have
 * passed since the last time. Another request waits at most a slice for each of its own steps
 * (each query it awaits), so a slice counted in rows (500 rows: tens of milliseconds on a busy
 * machine) stalled it that many times over.
 */
export function timeSlicer(budgetMs = 4): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await setImmediate();
    since = performance.now();
  };
}
