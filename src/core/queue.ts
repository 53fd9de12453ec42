// Tasks run one at a time per key in this process (a client's held calls), each after every earlier one of its key.

export class KeyedQueue {
  /** The last task of each key with one waiting or running; a key is forgotten once its queue is empty. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task of `key` has finished, whether it succeeded or not. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const run = before.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }
}
