/**
 * The per-row date-time paths (`localTextToEpochMs`, `epochMsToLocalText`) against the exact BigInt ones they
 * shortcut: the same instant and the same text for every shape and zone, fast path or not.
 */
import { describe, expect, it } from 'vitest';
import { epochMsToLocalText, localTextToEpochMs, localTextToMicros, microsToLocalText, msToMicros } from '../../connectors/sql/instant.ts';
import { zoneOf } from '../../core/normalise/time-zone.ts';

const ZONES = ['GMT+08:00', 'UTC', 'GMT-03:30', '+05:45', 'Asia/Shanghai', 'Europe/Berlin', 'America/New_York'].map((z) => zoneOf(z));
const exactMs = (text: string, zone: ReturnType<typeof zoneOf>): number => {
  const us = localTextToMicros(text, zone);
  const q = us / 1000n;
  return Number(us % 1000n !== 0n && us < 0n ? q - 1n : q);
};

/** What `f` returns, or the text of what it throws: the fast and exact paths must agree on both. */
function outcome<T>(f: () => T): T | string {
  try {
    return f();
  } catch (e) {
    return String(e);
  }
}

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('localTextToEpochMs', () => {
  it('reads the same instant as localTextToMicros for the databases\' shapes, every zone, 1900–2100', () => {
    const r = rng(7);
    for (const zone of ZONES) {
      for (let i = 0; i < 400; i++) {
        const ms = Math.floor(Date.UTC(1900, 0, 1) + r() * (Date.UTC(2100, 0, 1) - Date.UTC(1900, 0, 1)));
        const base = microsToLocalText(msToMicros(ms) + BigInt(Math.floor(r() * 1000)), zone);
        for (const text of [base, base.slice(0, 19), base.slice(0, 21), base.slice(0, 23), base.replace(' ', 'T'), `${base}789`]) {
          expect(localTextToEpochMs(text, zone), `${text} in ${zone.name}`).toBe(exactMs(text, zone));
        }
      }
    }
  });

  it('takes the exact path for other shapes and out-of-range fields, with the same result', () => {
    const zone = zoneOf('GMT+08:00');
    for (const text of ['2024-02-30 10:00:00', '2024-03-01', '0050-06-01 00:00:00', '1969-12-31 23:59:59.9995', '2024-13-01 00:00:00.5', '9999-12-31 23:59:59.999999']) {
      expect(outcome(() => localTextToEpochMs(text, zone)), text).toBe(outcome(() => exactMs(text, zone)));
    }
  });
});

describe('epochMsToLocalText', () => {
  it('writes the same text as microsToLocalText for every zone, 1900–2100 and the edges', () => {
    const r = rng(11);
    const edges = [0, -1, 1, -62135596800000, 253402300799999, Date.UTC(1969, 11, 31, 23, 59, 59, 999)];
    for (const zone of ZONES) {
      for (let i = 0; i < 400; i++) {
        const ms = Math.floor(Date.UTC(1900, 0, 1) + r() * (Date.UTC(2100, 0, 1) - Date.UTC(1900, 0, 1)));
        expect(epochMsToLocalText(ms, zone), `${ms} in ${zone.name}`).toBe(microsToLocalText(msToMicros(ms), zone));
      }
      for (const ms of edges) expect(epochMsToLocalText(ms, zone), `${ms} in ${zone.name}`).toBe(microsToLocalText(msToMicros(ms), zone));
    }
  });
});

describe('the arithmetic calendar of the fast paths', () => {
  const fixed = ZONES.filter((z) => z.kind === 'fixed');
  it('writes and reads every year 0100–9999 as the exact paths do, microseconds included', () => {
    const r = rng(23);
    const from = Date.UTC(100, 0, 1);
    const to = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    for (const zone of fixed) {
      for (let i = 0; i < 2000; i++) {
        const ms = Math.floor(from + r() * (to - from));
        const micro = Math.floor(r() * 1000);
        const text = epochMsToLocalText(ms, zone, micro);
        expect(text, `${ms}+${micro}µs in ${zone.name}`).toBe(microsToLocalText(msToMicros(ms) + BigInt(micro), zone));
        expect(localTextToEpochMs(text, zone), `${text} in ${zone.name}`).toBe(exactMs(text, zone));
      }
    }
  });
  it('knows the leap days: 29 February of 2000 and 2024 exists, of 1900 and 2100 does not', () => {
    const zone = zoneOf('UTC');
    for (const text of ['2000-02-29 12:00:00', '2024-02-29 00:00:00.5', '1900-02-29 00:00:00', '2100-02-29 00:00:00', '2023-04-31 00:00:00', '2023-12-31 23:59:59.999999']) {
      expect(outcome(() => localTextToEpochMs(text, zone)), text).toBe(outcome(() => exactMs(text, zone)));
    }
    expect(epochMsToLocalText(Date.UTC(2000, 1, 29, 12), zone)).toBe('2000-02-29 12:00:00.000000');
    expect(epochMsToLocalText(Date.UTC(1900, 2, 1), zone)).toBe('1900-03-01 00:00:00.000000');
  });
});
