/**
 * A process-wide channel for "still working, here is why" messages from deep inside (a store waiting
 * for another process's lock): the CLI prints them on stderr, a library user may route them anywhere,
 * and by default they go nowhere.
 */
let sink: ((message: string) => void) | undefined;

export function setNoticeSink(next: ((message: string) => void) | undefined): void {
  sink = next;
}

export function notice(message: string): void {
  sink?.(message);
}
