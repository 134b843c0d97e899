import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTextFile, readFormatOf, TextRecordEncoder, writeFormatOf } from '../../connectors/text-files/index.ts';
import { sourceSpec, targetSpec } from '../support/task-spec.ts';

const LINES = 200_000;
// Holding this file as rows grows RSS by ~180 MB; streaming it stays near 50 MB (garbage not yet collected).
const RSS_GROWTH_BOUND = 96 * 1024 * 1024;

const dir = mkdtempSync(join(tmpdir(), 'fdi-textfiles-mem-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeBigCsv(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('id,name,city,note,amount\n');
  const pad = 'x'.repeat(400);
  for (let i = 1; i <= LINES; i++) {
    if (!out.write(`${i},"Name ${i}, Jr.",City ${i % 97},"${pad} ""${i}""",${(i * 1.25).toFixed(2)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

describe('text-files: memory stays flat for a big file', () => {
  it(`streams ${LINES} CSV lines through decode and encode without holding them`, async () => {
    const input = join(dir, 'big.csv');
    const output = join(dir, 'big.jsonl');
    await writeBigCsv(input);
    expect(statSync(input).size).toBeGreaterThan(80 * 1024 * 1024);

    const source = sourceSpec({ skipHeader: true });
    const target = targetSpec({ fileType: 'jsonl' });
    const encoder = new TextRecordEncoder(writeFormatOf(target));
    const out = createWriteStream(output);

    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    let records = 0;
    let lastLine = 0;
    for await (const batch of decodeTextFile(createReadStream(input), { file: 'big.csv', format: readFormatOf(source), batchSize: 1000 })) {
      records += batch.records.length;
      expect(batch.unreadable).toBeUndefined();
      lastLine = (batch.checkpoint as { line: number }).line;
      const { bytes, rejected } = encoder.encode(batch.records);
      expect(rejected).toEqual([]);
      if (!out.write(bytes)) await once(out, 'drain');
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    out.end();
    await once(out, 'finish');

    expect(records).toBe(LINES);
    expect(lastLine).toBe(LINES + 1);
    expect(statSync(output).size).toBeGreaterThan(80 * 1024 * 1024);
    expect(peak - before).toBeLessThan(RSS_GROWTH_BOUND);
  }, 120_000);
});
