/** What a Ctrl-C (SIGINT) or SIGTERM does, by how many came before it. */
export type SignalStep = (signal: NodeJS.Signals) => void;

/** Where the signals come from: the process, or a stand-in in tests. */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * SIGINT and SIGTERM, counted together: the n-th runs `steps[n - 1]` (a realtime run: stop, then terminate; a timing
 * run: terminate), and one more leaves at once. Returns the function that stops listening.
 */
export function onRunSignals(steps: readonly SignalStep[], exitNow: () => never, source: SignalSource = process): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals): void => {
    const step = steps[received++];
    if (!step) exitNow();
    step(signal);
  };
  for (const s of SIGNALS) source.on(s, handler);
  return () => {
    for (const s of SIGNALS) source.off(s, handler);
  };
}

/** How a signal is named to the user. */
export function signalName(signal: NodeJS.Signals): string {
  return signal === 'SIGINT' ? 'Ctrl-C' : signal;
}
