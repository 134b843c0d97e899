/** How `fdi run` counts Ctrl-C and SIGTERM (cli/run/signals.ts), on a stand-in for the process. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onRunSignals, signalName, type SignalSource } from '../../cli/run/signals.ts';

class Left extends Error {}

function fakeProcess(): { source: SignalSource; send(signal: NodeJS.Signals): void; listeners(): number } {
  const emitter = new EventEmitter();
  return {
    source: emitter,
    send: (signal) => emitter.emit(signal, signal),
    listeners: () => emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM'),
  };
}

function recorder(): { steps: string[]; step(name: string): (signal: NodeJS.Signals) => void; exitNow(): never } {
  const steps: string[] = [];
  return {
    steps,
    step: (name) => (signal) => void steps.push(`${name} by ${signal}`),
    exitNow: () => {
      steps.push('left');
      throw new Left();
    },
  };
}

describe('fdi run signals', () => {
  it('a realtime run: the first signal stops, the second terminates, the third leaves at once', () => {
    const p = fakeProcess();
    const r = recorder();
    onRunSignals([r.step('stop'), r.step('terminate')], r.exitNow, p.source);
    p.send('SIGINT');
    expect(r.steps).toEqual(['stop by SIGINT']);
    p.send('SIGINT');
    expect(r.steps).toEqual(['stop by SIGINT', 'terminate by SIGINT']);
    expect(() => p.send('SIGINT')).toThrow(Left);
    expect(r.steps).toEqual(['stop by SIGINT', 'terminate by SIGINT', 'left']);
  });

  it('a timing run: the first signal terminates, the second leaves at once', () => {
    const p = fakeProcess();
    const r = recorder();
    onRunSignals([r.step('terminate')], r.exitNow, p.source);
    p.send('SIGINT');
    expect(() => p.send('SIGINT')).toThrow(Left);
    expect(r.steps).toEqual(['terminate by SIGINT', 'left']);
  });

  it('SIGTERM and SIGINT count together', () => {
    const p = fakeProcess();
    const r = recorder();
    onRunSignals([r.step('stop'), r.step('terminate')], r.exitNow, p.source);
    p.send('SIGTERM');
    p.send('SIGINT');
    expect(r.steps).toEqual(['stop by SIGTERM', 'terminate by SIGINT']);
  });

  it('stops listening when disposed', () => {
    const p = fakeProcess();
    const r = recorder();
    const dispose = onRunSignals([r.step('stop')], r.exitNow, p.source);
    expect(p.listeners()).toBe(2);
    dispose();
    expect(p.listeners()).toBe(0);
    p.send('SIGINT');
    expect(r.steps).toEqual([]);
  });

  it('names SIGINT the way the user pressed it', () => {
    expect(signalName('SIGINT')).toBe('Ctrl-C');
    expect(signalName('SIGTERM')).toBe('SIGTERM');
  });
});
