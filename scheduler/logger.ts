/** The runtime's pino logger, seen through the small logger interface connectors and the worker use. */
import type { Logger } from 'pino';
import type { ConnectorLogger } from '../connectors/sdk/index.ts';

export function connectorLoggerOf(log: Logger): ConnectorLogger {
  return {
    debug: (msg, data) => log.debug(data ?? {}, msg),
    info: (msg, data) => log.info(data ?? {}, msg),
    warn: (msg, data) => log.warn(data ?? {}, msg),
    error: (msg, data) => log.error(data ?? {}, msg),
  };
}
