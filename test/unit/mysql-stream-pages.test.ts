import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamPages } from '../../connectors/mysql/stream-pages.ts';

/** An object-mode stream that hands out `n` rows in bursts of `burst`, one burst per tick, then ends or fails. */
function rows(n: number, burst: number, fail?: Error): Readable {
  let next = 1;
  return new Readable({
    objectMode: true,
    highWaterMark: 4,
    read() {
      setImmediate(() => {
        for (let i = 0; i < burst && next <= n; i++) this.push({ id: next++ });
        if (next > n) {
          if (fail) this.destroy(fail);
          else this.push(null);
        }
      });
    },
  });
}

async function collect(stream: Readable, size: number): Promise<number[][]> {
  const pages: number[][] = [];
  for await (const page of streamPages(stream, size, (raw) => raw.id as number)) pages.push(page);
  return pages;
}

describe('streamPages', () => {
  it('pages every row, in order, full pages then the rest', async () => {
    const pages = await collect(rows(23, 3), 5);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flat()).toEqual(Array.from({ length: 23 }, (_v, i) => i + 1));
  });

  it('an empty stream gives no page', async () => {
    expect(await collect(rows(0, 1), 5)).toEqual([]);
  });

  it('throws the stream error, after the pages before it', async () => {
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const page of streamPages(rows(12, 2, new Error('connection lost')), 5, (raw) => raw.id as number)) seen.push(...page);
      })(),
    ).rejects.toThrow('connection lost');
    expect(seen.slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('an error while the consumer holds a page is not lost (and does not crash the process)', async () => {
    const stream = rows(1000, 50);
    const it = streamPages(stream, 10, (raw) => raw.id as number)[Symbol.asyncIterator]();
    expect((await it.next()).value).toHaveLength(10);
    stream.destroy(new Error('killed'));
    await new Promise((r) => setImmediate(r));
    let error: unknown;
    try {
      for (let r = await it.next(); !r.done; r = await it.next());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('killed');
  });

  it('a stream destroyed without an error (an abort) just ends', async () => {
    const stream = rows(1000, 50);
    const pages: number[][] = [];
    for await (const page of streamPages(stream, 10, (raw) => raw.id as number)) {
      pages.push(page);
      if (pages.length === 2) stream.destroy();
    }
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.length).toBeLessThan(100);
  });

  it('leaving early destroys the stream', async () => {
    const stream = rows(1000, 50);
    for await (const page of streamPages(stream, 10, (raw) => raw.id as number)) {
      expect(page).toHaveLength(10);
      break;
    }
    expect(stream.destroyed).toBe(true);
  });
});
