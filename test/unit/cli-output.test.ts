import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskMonitorDetailLog, TaskMonitorLog } from '../../core/monitor-log.ts';
import type { StatusCode } from '../../core/status-codes.ts';
import { formatStepTable, formatSummary, readCount } from '../../cli/run/log-table.ts';
import { ProgressLine } from '../../cli/run/progress.ts';
import { loadTaskFile } from '../../cli/run/task-file.ts';
import { defaultDirtyPath, defaultStatePath } from '../../cli/commands/run.ts';

function step(status: StatusCode, extra: Partial<TaskMonitorDetailLog> = {}): TaskMonitorDetailLog {
  return {
    id: `s${status}`, status, position: status >= 500 && status < 900 ? 'WRITER' : status >= 100 && status < 500 ? 'READER' : 'ADAPTER',
    position_status: 'NORMAL', stage: 'adapter', dirty_data_count: 0, data_count: 0, data_size: 0, data_size_unit: 'B',
    spend_time: 0, remarks: '', step_begin_time: 0, step_end_time: 0, ...extra,
  };
}

function log(extra: Partial<TaskMonitorLog> = {}): TaskMonitorLog {
  return {
    id: 'run123', task_id: 't', start_time: 0, dispatch_time: 0, end_time: 10, execute_status: 'SUCCESS', position: 'ADAPTER',
    position_status: 'TASK_END', status: 901, dirty_data_count: 1, data_count: 3, data_size: 1.5, data_size_unit: 'KB',
    spend_time: 1234, write_spend_time: 5, remarks: 'done',
    detail_logs: [
      step(900, { remarks: 'received' }),
      step(102, { stage: 'filereader', data_count: 4, remarks: 'reading\ndata' }),
      step(104, { stage: 'filereader', data_count: 4, position_status: 'NODE_END' }),
      step(504, { stage: 'filewriter', data_count: 3, dirty_data_count: 1, data_size: 1.5, data_size_unit: 'KB' }),
    ],
    ...extra,
  };
}

describe('fdi run output', () => {
  it('prints one aligned row per step with numbers right-aligned and remarks on one line', () => {
    const lines = formatStepTable(log()).split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('status  position  position_status  stage       data_count  dirty    size  spend_ms  remarks');
    expect(lines[2]).toBe('   102  READER    NORMAL           filereader           4      0     0 B         0  reading data');
    expect(lines[4]).toBe('   504  WRITER    NORMAL           filewriter           3      1  1.5 KB         0');
  });

  it('summarises the run with the reader count, and the remarks when it did not succeed', () => {
    expect(readCount(log())).toBe(4);
    expect(formatSummary(log())).toBe('run run123 SUCCESS, read 4, written 3, dirty 1, size 1.5 KB, time 1.2 s');
    expect(formatSummary(log({ execute_status: 'ERROR', remarks: 'target failed', spend_time: 80 }))).toBe(
      'run run123 ERROR, read 4, written 3, dirty 1, size 1.5 KB, time 80 ms\ntarget failed',
    );
  });
});

describe('progress line', () => {
  afterEach(() => vi.useRealTimers());

  it('redraws in place on a terminal and clears itself at the end', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    const p = new ProgressLine({ isTTY: true, write: (t) => out.push(t) });
    p.start();
    vi.advanceTimersByTime(600);
    expect(out).toEqual([]); // nothing known yet
    p.update(log({ execute_status: 'RUNNING' }));
    vi.advanceTimersByTime(500);
    expect(out).toHaveLength(1);
    const CLEAR_LINE = '\r\x1b[2K';
    expect(out[0]?.startsWith(CLEAR_LINE)).toBe(true);
    expect(out[0]?.slice(CLEAR_LINE.length)).toMatch(/^running: read 4, written 3, dirty 1, \d+ rows\/s$/);
    p.stop();
    expect(out.at(-1)).toBe(CLEAR_LINE);
    vi.advanceTimersByTime(5000);
    expect(out).toHaveLength(2);
  });

  it('prints whole lines, less often, when stderr is not a terminal', () => {
    vi.useFakeTimers();
    const out: string[] = [];
    const p = new ProgressLine({ isTTY: false, write: (t) => out.push(t) });
    p.start();
    p.update(log({ execute_status: 'RUNNING' }));
    vi.advanceTimersByTime(4000);
    expect(out).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^running: read 4, written 3, dirty 1, \d+ rows\/s\n$/);
    p.stop();
    expect(out).toHaveLength(1);
  });
});

describe('task file loading', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fdi-cli-taskfile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('anchors a FILE base_path, relative or absent, at the task file folder and leaves others alone', async () => {
    const path = join(dir, 'anchored.json');
    writeFileSync(path, JSON.stringify({
      datasources: [
        { datasource_id: 'rel', datasource_name: 'rel', datasource_type: 'FILE', content: { base_path: 'data/in' } },
        { datasource_id: 'none', datasource_name: 'none', datasource_type: 'file', content: {} },
        { datasource_id: 'abs', datasource_name: 'abs', datasource_type: 'FILE', content: { base_path: '/srv/files' } },
        { datasource_id: 'pg', datasource_name: 'pg', datasource_type: 'POSTGRESQL', content: { base_path: 'x' } },
      ],
      task: { task_name: 'anchored-task', task_type: 'TIMING', source_datasource_id: 'rel', target_datasource_id: 'none' },
      task_detail: { sourceSelectedDatasource: { file_name: 'a.csv' }, targetSelectedDatasource: { file_name: 'b.csv' }, mappingRequired: false },
    }));
    const loaded = await loadTaskFile(path);
    expect(loaded.datasources.map((d) => d.content.base_path)).toEqual([join(dir, 'data/in'), dir, '/srv/files', 'x']);
    expect(defaultStatePath(loaded)).toBe(join(dir, '.fdi', 'state', 'anchored-task.json'));
    expect(defaultDirtyPath(loaded)).toBe(join(dir, 'anchored-task.dirty.jsonl'));
  });
});
