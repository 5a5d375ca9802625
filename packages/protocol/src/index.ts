/**
 * @tessera/protocol — the one wire contract of Tessera (STYLE 1): message schemas, the error
 * model, key and token formats, the sealed envelope and signatures, and the audit chain.
 * Imports nothing of ours.
 */
export * from './api-key.js';
export * from './audit-chain.js';
export * from './canonical-json.js';
export * from './client-api.js';
export * from './cohort.js';
export * from './common.js';
export * from './encoding.js';
export * from './envelope.js';
export * from './errors.js';
export * from './keys.js';
export * from './node-api.js';
export * from './refusal.js';
export * from './safe-json.js';
export * from './secagg/index.js';
export * from './signature.js';
export * from './tls-pin.js';
export * from './trace.js';
