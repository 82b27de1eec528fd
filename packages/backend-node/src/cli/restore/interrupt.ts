import { EXIT_STATUS } from '../exit-status.js';

/**
 * Ctrl-C handling for a long command: the first SIGINT calls `onInterrupt` and aborts `controller`
 * (the running work stops at its next step and what is finished stays); a second one ends the
 * process at once with status 130. Returns the function that removes the handler.
 */
export function abortOnInterrupt(controller: AbortController, onInterrupt: () => void): () => void {
  const handler = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_STATUS.interrupted);
    onInterrupt();
    controller.abort(new Error('interrupted (SIGINT)'));
  };
  process.on('SIGINT', handler);
  return () => void process.off('SIGINT', handler);
}
