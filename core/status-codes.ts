/**
 * The FDI monitor status codes (spec tasks.md §2.5): the one place where a code gets its position and meaning.
 * Reader codes are 100–499, writer codes 500–899, everything else 900 and up; 16 and 99 stand apart; 910 does not exist.
 */
export type Position = 'ADAPTER' | 'READER' | 'WRITER';

export type PositionStatus = 'NORMAL' | 'NODE_END' | 'RUNTIME_CANCEL' | 'TASK_END' | 'RUNTIME_ERR' | 'INTERNAL_ERR';

export type ExecuteStatus = 'UNSTARTED' | 'WAITING' | 'RUNNING' | 'SUCCESS' | 'CANCELLED' | 'ERROR';

/** v1 spells position_status as integers; the pairing follows the identical Chinese descriptions. */
export const POSITION_STATUS_V1: Readonly<Record<PositionStatus, number>> = {
  NORMAL: 0,
  NODE_END: 1,
  RUNTIME_CANCEL: 2,
  TASK_END: 3,
  RUNTIME_ERR: -1,
  INTERNAL_ERR: -2,
};

export interface StatusCodeInfo {
  readonly code: number;
  readonly position: Position;
  readonly meaning: string;
  readonly meaningZh: string;
}

function row(code: number, position: Position, meaning: string, meaningZh: string): StatusCodeInfo {
  return { code, position, meaning, meaningZh };
}

export const STATUS = {
  FORCE_CANCELLED: 16,
  TASK_START: 99,
  READER_START: 100,
  READER_END: 101,
  READING: 102,
  SOURCE_ERROR: 103,
  READ_FINISHED: 104,
  ZERO_ROWS_READ: 105,
  READER_CANCELLED: 106,
  READER_INTERRUPTED: 107,
  READER_RESUMED: 108,
  WRITER_START: 500,
  WRITER_END: 501,
  WRITING: 502,
  TARGET_ERROR: 503,
  WRITE_FINISHED: 504,
  WRITER_CANCELLED: 505,
  WRITER_INTERRUPTED: 506,
  WRITER_RESUMED: 507,
  DISPATCH_RECEIVED: 900,
  RUN_FINISHED: 901,
  INTEGRITY_CHECKING: 902,
  INTEGRITY_RESULT: 903,
  COMPENSATING: 904,
  COMPENSATION_RESULT: 905,
  READER_QUEUED: 906,
  READER_REJECTED_PREVIOUS_RUNNING: 907,
  WRITER_QUEUED: 908,
  WRITER_REJECTED_PREVIOUS_RUNNING: 909,
  READER_START_FAILED: 911,
  WRITER_START_FAILED: 912,
  DISPATCH_FAILED: 913,
  REJECTED_PREVIOUS_RUNNING: 914,
  RUN_ABNORMAL: 915,
  LOG_REPORT_FAILED: 916,
} as const;

export type StatusCode = (typeof STATUS)[keyof typeof STATUS];

export const STATUS_CODES: ReadonlyMap<StatusCode, StatusCodeInfo> = new Map<StatusCode, StatusCodeInfo>([
  [16, row(16, 'ADAPTER', 'force-cancelled', '被强制取消')],
  [99, row(99, 'ADAPTER', 'task start', '任务开始')],
  [100, row(100, 'READER', 'reader task start', 'Reader 任务开始')],
  [101, row(101, 'READER', 'reader task end', 'Reader 任务结束')],
  [102, row(102, 'READER', 'reading data', '正在读取数据')],
  [103, row(103, 'READER', 'exception at the read-side data source', '读端数据源端异常')],
  [104, row(104, 'READER', 'reading finished', '读取数据结束')],
  [105, row(105, 'READER', '0 records read', '读取数据为0')],
  [106, row(106, 'READER', 'read task force-cancelled', '读任务强制取消')],
  [107, row(107, 'READER', 'the task was interrupted inside the reader plugin', '在reader plugin中，任务发生了中断')],
  [108, row(108, 'READER', 'read task resumed', '读任务恢复运行')],
  [500, row(500, 'WRITER', 'writer task start', 'Writer 任务开始')],
  [501, row(501, 'WRITER', 'writer task end', 'Writer 任务结束')],
  [502, row(502, 'WRITER', 'writing data', '正在数据写入')],
  [503, row(503, 'WRITER', 'target-side exception', '目标端异常')],
  [504, row(504, 'WRITER', 'writing finished', '数据写入结束')],
  [505, row(505, 'WRITER', 'write task force-cancelled', '写任务强制取消')],
  [506, row(506, 'WRITER', 'the task was interrupted inside the writer plugin', '在writer plugin中，任务发生了中断')],
  [507, row(507, 'WRITER', 'write task resumed', '写任务恢复运行')],
  [900, row(900, 'ADAPTER', 'dispatch request received', '接收到调度请求')],
  [901, row(901, 'ADAPTER', 'task run finished', '任务运行结束')],
  [902, row(902, 'ADAPTER', 'run finished; data-integrity check in progress', '任务已运行结束，正在进行数据完整性校验')],
  [903, row(903, 'ADAPTER', 'integrity-check result', '输出数据完整性校验结果')],
  [904, row(904, 'ADAPTER', 'data missing; compensation in progress', '经过数据完整性校验，发现有数据缺失，正在进行数据补偿')],
  [905, row(905, 'ADAPTER', 'compensation result', '输出数据补偿结果')],
  [906, row(906, 'READER', 'read task queued (platform resources)', '读取任务正在在排队中（平台资源）')],
  [907, row(907, 'READER', 'read task rejected: the previous dispatch has not finished', '读取任务被拒绝执行，因为上一次调度还没有结束')],
  [908, row(908, 'WRITER', 'write task queued (platform resources)', '写入任务正在在排队中（平台资源）')],
  [909, row(909, 'WRITER', 'write task rejected: the previous dispatch has not finished', '写入任务被拒绝执行，因为上一次调度还没有结束')],
  [911, row(911, 'READER', 'read task did not start; check the network and the parameters', '读取任务没有被正常开启，请检查网络是否通畅，参数是否正确')],
  [912, row(912, 'WRITER', 'write task did not start; check the network and the parameters', '写入任务没有被正常开启，请检查网络是否通畅，参数是否正确')],
  [913, row(913, 'ADAPTER', 'task dispatch request failed', '任务调度请求失败')],
  [914, row(914, 'ADAPTER', 'task rejected: the previous dispatch has not finished', '任务被拒绝执行，因为上一次调度还没有结束')],
  [915, row(915, 'ADAPTER', 'task running abnormally', '任务不正常运行')],
  [916, row(916, 'ADAPTER', 'task log reporting failed', '任务日志上报异常')],
]);

export function statusInfo(code: StatusCode): StatusCodeInfo {
  const info = STATUS_CODES.get(code);
  if (!info) throw new Error(`unknown FDI status code ${code}`);
  return info;
}

export function isStatusCode(n: number): n is StatusCode {
  return STATUS_CODES.has(n as StatusCode);
}
