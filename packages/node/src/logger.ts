import { pino, type Logger } from 'pino';

/**
 * The node's structured JSON logger (STYLE 10). Secrets are redacted should one ever be passed by
 * mistake; callers never log data values, keys or the API key.
 */
export function createNodeLogger(
  trust: string,
  level = process.env.TESSERA_LOG_LEVEL ?? 'info',
): Logger {
  return pino({
    name: 'tessera-node',
    level,
    base: { trust },
    redact: {
      paths: ['apiKey', '*.apiKey', 'authorization', '*.authorization', 'key', '*.privateKey'],
      censor: '[redacted]',
    },
  });
}
