/** One tool in one scenario, run several times: reset (not timed), run (timed), check (not timed). */
import type { Measurement } from './measured-process.ts';

export interface Contender {
  scenario: string;
  tool: string;
  /** Rows and bytes one run moves (the data set's), for rows/s and MB/s. */
  rows: number;
  bytes: number;
  /** Why it cannot run here, or null. Asked once, before the first run. */
  unavailable(): Promise<string | null>;
  /** Bring the target back to the state before a run. */
  reset(): Promise<void>;
  run(): Promise<Measurement>;
  /** Throws when the run did not produce the complete, correct result; may return a note on a known limitation. */
  check(m: Measurement): Promise<string | undefined>;
}

export interface ContenderResult {
  scenario: string;
  tool: string;
  rows: number;
  bytes: number;
  runs: Measurement[];
  notes: Set<string>;
  skipped?: string;
  failed?: string;
}
