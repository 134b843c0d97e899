/** Exit codes of the `fdi` commands. */
export const EXIT = {
  /** The run ended SUCCESS. */
  OK: 0,
  /** The run ended ERROR or CANCELLED. */
  RUN_FAILED: 1,
  /** Invalid input: a task file, option or value that cannot be used (an FDI.xxxx code on stderr). */
  INVALID_INPUT: 2,
  /** A second Ctrl-C: left at once without waiting for the run to end cleanly (128 + SIGINT). */
  INTERRUPTED: 130,
} as const;
