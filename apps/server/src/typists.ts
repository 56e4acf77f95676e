// Which window typed last in each session: only its terminal's answers to queries reach the program.

/**
 * Every window on a session parses the same output, so each answers a query in it (cursor
 * position, device attributes, colours): the program would read the extra answers as keystrokes.
 * As tmux lets only the client in use answer, the server passes on answers from the window typed
 * in last, or from any while nobody has typed yet or that window is gone (closed or reloaded: a
 * page gets a new client id).
 */
export class Typists {
  readonly #last = new Map<string, string>();

  /** The person typed in `sessionId` from the window `clientId`. */
  typed(sessionId: string, clientId: string): void {
    this.#last.set(sessionId, clientId);
  }

  /** Whether an answer from `clientId` goes to the program; `attached` tells live windows. */
  mayAnswer(sessionId: string, clientId: string, attached: (clientId: string) => boolean): boolean {
    const last = this.#last.get(sessionId);
    return last === undefined || last === clientId || !attached(last);
  }

  /** Forgets a session (it ended). */
  forget(sessionId: string): void {
    this.#last.delete(sessionId);
  }
}
