// Runs async jobs one after another: envd requests may otherwise overtake each other in flight.

/** A FIFO of async jobs; each starts when the previous one settled. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(job, job);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
