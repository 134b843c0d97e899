import { describe, expect, it } from 'vitest';
import type { Reader, Row, SourceBatch, TextRows, WriteResult, Writer } from '../../connectors/sdk/index.ts';
import { defineConnector } from '../../connectors/sdk/index.ts';
import { datasource, harness, makeTask, type Event } from './engine-fixtures.ts';

/** Text rows of one column: `ids` as the text of each row, all in one chunk, with `release` noted in `events`. */
function textRows(ids: number[], events: Event[]): TextRows {
  const texts = ids.map(String);
  const chunk = Buffer.from(texts.join(''));
  const start = new Int32Array(ids.length);
  const length = new Int32Array(ids.length);
  let at = 0;
  texts.forEach((t, i) => {
    start[i] = at;
    length[i] = t.length;
    at += t.length;
  });
  let released = false;
  return {
    columns: [{ name: 'id', kind: 'integer' }],
    count: ids.length,
    chunks: [chunk],
    chunkOf: new Int32Array(ids.length),
    start,
    length,
    zone: { kind: 'fixed', name: '+00:00', offsetMinutes: 0 },
    records(): Row[] {
      if (released) throw new Error('records() after release');
      events.push(`records:${ids[0]}`);
      return ids.map((id) => ({ id }));
    },
    release(): void {
      released = true;
      events.push(`release:${ids[0]}`);
    },
  };
}

const source = (events: Event[]) =>
  defineConnector<unknown>({
    type: 'textsrc',
    serves: { source: ['TIMING'], target: [] },
    parseOptions: (content) => content,
    reader(ctx): Reader {
      return {
        async open() {},
        async *batches(): AsyncGenerator<SourceBatch> {
          expect(ctx.takesText).toBe(true);
          for (const from of [1, 4]) {
            const ids = [from, from + 1, from + 2];
            yield { records: [], text: textRows(ids, events), bytes: 3, recordBytes: [1, 1, 1] };
          }
        },
        async close() {},
      };
    },
  });

const target = (events: Event[]) =>
  defineConnector<unknown>({
    type: 'textdst',
    serves: { source: [], target: ['TIMING'] },
    writesText: true,
    parseOptions: (content) => content,
    writer(): Writer {
      return {
        async open() {},
        async write(): Promise<WriteResult> {
          throw new Error('the text path writes text');
        },
        acceptsText: () => true,
        async writeText(rows: TextRows): Promise<WriteResult> {
          events.push(`writeText:${rows.records()[0]?.id}`);
          // The second batch's middle row is refused.
          return { rejected: rows.records()[0]?.id === 4 ? [{ index: 1, reason: 'refused' }] : [] };
        },
        async flush() {},
        async close() {},
      };
    },
  });

describe('engine: text rows are released once written', () => {
  it('releases each text batch after its write, after the refused rows became dirty records', async () => {
    const events: Event[] = [];
    const h = harness([source(events), target(events)], [datasource('src', 'textsrc'), datasource('dst', 'textdst')]);
    const log = await h.run(makeTask());
    expect(log.execute_status, log.remarks).toBe('SUCCESS');
    expect(log.data_count).toBe(5);
    expect(log.dirty_data_count).toBe(1);
    expect(h.dirty.records.map((d) => d.record)).toEqual([{ id: 5 }]);
    expect(events.filter((e) => e.startsWith('release'))).toEqual(['release:1', 'release:4']);
    expect(events.indexOf('release:1')).toBeGreaterThan(events.indexOf('writeText:1'));
    expect(events.lastIndexOf('records:4')).toBeLessThan(events.indexOf('release:4'));
  });
});
