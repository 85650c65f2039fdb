// The daemons' one contact with process signals: SIGTERM (a pod stopping) and SIGINT end them cleanly.

/** Calls `stop` on the first SIGTERM or SIGINT; the returned function stops listening. */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals) => {
    dispose();
    stop(signal);
  };
  const dispose = () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
  return dispose;
}
