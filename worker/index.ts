/** The engine's public surface, for the scheduler, the CLI and the API. */
export { runExecution, STOP_REASON, type ExecutionDeps, type ExecutionRequest } from './execution.ts';
export { MonitorRecorder, type MonitorRecorderOptions, type StepCounts, type StepOptions } from './monitor-recorder.ts';
export { FileCheckpointStore, MemoryCheckpointStore, StoreCheckpointStore, type CheckpointStore } from './checkpoint.ts';
export { JsonlFileDirtySink, MemoryDirtySink, StoreDirtySink, ConnectorDirtySink, type DirtySink, type DirtyRecord } from './dirty.ts';
export { MemoryMonitorLogSink, StoreMonitorLogSink } from './monitor-sinks.ts';
export { BoundedChannel } from './channel.ts';
export { buildRowMapper, type RowMapper, type MapResult } from './mapping.ts';
