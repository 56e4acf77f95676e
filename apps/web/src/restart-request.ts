// The request id a tab's restart is created with: one for every window, so a tab gets one session.
import { MAX_CLIENT_ID_LENGTH } from "@porthole/protocol";

/**
 * The request id of a restart of the tab that showed session `ended`, the same in every window:
 * the server answers every create with one request id by one session, so windows that restart a
 * tab at once (each pressed Enter, or reconnected with an Enter waiting) share it. Null for a new
 * tab, or when the id would be too long to send (then each window may make its own).
 */
export function restartRequestId(ended: string | null): string | null {
  const id = `restart-${ended}`;
  return ended !== null && id.length <= MAX_CLIENT_ID_LENGTH ? id : null;
}
