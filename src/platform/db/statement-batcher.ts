import type { Db } from './database.ts';

/**
 * Sends the work of requests arriving at the same moment in one statement instead of one each.
 *
 * While `inFlight` statements are under way, the items that arrive wait and leave together in
 * the next one (at most `maxBatch`); a lone item leaves at once, alone, so nothing waits when
 * the server is idle. Under load, the round trip, the parsing and the commit are shared by the
 * items of a batch instead of paid by each. Each item gets its own result only when the
 * statement holding it has ended; when a batch fails, its items run again one by one, so that
 * one item's refusal fails that item alone.
 */
export class StatementBatcher<Item, Result> {
  private readonly waiting: {
    item: Item;
    resolve: (result: Result) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private running = 0;

  /**
   * `run` does the items' work in one statement and gives their results in their order.
   * `inFlight`: statements at the same time (each holds a connection of the pool).
   */
  constructor(
    private readonly run: (items: Item[]) => Promise<Result[]>,
    private readonly options: { inFlight: number; maxBatch: number },
  ) {}

  /** This item's result, once the statement that holds it has ended. */
  submit(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.options.inFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.running += 1;
      void this.flush(batch).finally(() => {
        this.running -= 1;
        this.next();
      });
    }
  }

  private async flush(batch: typeof this.waiting): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.item));
      for (const [i, w] of batch.entries()) w.resolve(results[i]!);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // Nothing of the batch was done: each item again, alone, with its own outcome.
      await Promise.all(
        batch.map((w) =>
          this.run([w.item]).then(
            ([result]) => w.resolve(result!),
            (alone: unknown) => w.reject(alone),
          ),
        ),
      );
    }
  }
}

/**
 * `run`, batched per database (`StatementBatcher`): the items of one database sent at the same
 * moment share a statement. Inside a transaction an item runs at once and alone, as part of it.
 */
export function batchedPerDatabase<Item, Result>(
  run: (db: Db, items: Item[]) => Promise<Result[]>,
  options: { inFlight: number; maxBatch: number },
): (db: Db, item: Item) => Promise<Result> {
  const batchers = new WeakMap<Db, StatementBatcher<Item, Result>>();
  return (db, item) => {
    if (db.isTransaction) return run(db, [item]).then(([result]) => result!);
    let batcher = batchers.get(db);
    if (!batcher) {
      batcher = new StatementBatcher((items) => run(db, items), options);
      batchers.set(db, batcher);
    }
    return batcher.submit(item);
  };
}
