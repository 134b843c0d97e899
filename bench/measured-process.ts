/**
 * Runs a command, or a pipeline of commands connected by OS pipes (bash, `pipefail`), and measures its wall time and
 * peak memory. Each process runs under GNU time (`/usr/bin/time -f %M`), which reports the peak RSS the kernel
 * recorded for it; a pipeline's peak is the sum of its processes' peaks, as they run at the same time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const GNU_TIME = '/usr/bin/time';
const STDERR_TAIL = 4000;

export interface Stage {
  cmd: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export interface PipelineInput {
  stages: readonly Stage[];
  /** A file fed to the first stage's stdin; default: none. */
  stdinFile?: string;
  /** Keep the last stage's stdout (else it goes to /dev/null). */
  captureStdout?: boolean;
}

export interface Measurement {
  seconds: number;
  peakRssMb: number;
  stdout: string;
}

export class ProcessFailed extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`${command} exited ${exitCode ?? 'on a signal'}${stderr ? `: ${stderr.trim().split('\n').slice(-6).join(' | ')}` : ''}`);
    this.name = 'ProcessFailed';
  }
}

/** Single-quoted for bash. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

export async function runMeasured(input: PipelineInput): Promise<Measurement> {
  if (input.stages.length === 0) throw new Error('runMeasured: no stages');
  const dir = mkdtempSync(join(tmpdir(), 'fdi-bench-rss-'));
  const rssFiles = input.stages.map((_s, i) => join(dir, `rss-${i}`));
  const commands = input.stages.map((s, i) => [GNU_TIME, '-f', '%M', '-o', rssFiles[i] as string, s.cmd, ...s.args].map(shellQuote).join(' '));
  commands[0] += input.stdinFile ? ` < ${shellQuote(input.stdinFile)}` : ' < /dev/null';
  if (!input.captureStdout) commands[commands.length - 1] += ' > /dev/null';
  const script = `set -o pipefail; ${commands.join(' | ')}`;
  const env = Object.assign({}, process.env, ...input.stages.map((s) => s.env ?? {})) as NodeJS.ProcessEnv;
  const label = input.stages.map((s) => [s.cmd, ...s.args].join(' ').slice(0, 120)).join(' | ');
  try {
    const started = performance.now();
    const child = spawn('bash', ['-c', script], { stdio: ['ignore', input.captureStdout ? 'pipe' : 'ignore', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-STDERR_TAIL);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c) => resolve(c));
    });
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new ProcessFailed(label, code, stderr);
    const peakKb = rssFiles.reduce((sum, f) => sum + readPeakKb(f), 0);
    return { seconds, peakRssMb: peakKb / 1024, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** GNU time writes the peak RSS (KiB) on the last line of its -o file (after a note when the command failed). */
function readPeakKb(file: string): number {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const kb = Number(lines.at(-1));
  if (!Number.isFinite(kb)) throw new Error(`GNU time wrote no peak RSS to ${file}`);
  return kb;
}
