/**
 * Secure aggregation core (issue 5): the ring and fixed-point code, mask expansion, Shamir
 * sharing, X25519 pairwise seeds, share boxes, masking and unmasking. Pure functions over typed
 * arrays and node:crypto; the orchestration (key adverts, share relay, dropouts) lives in hub
 * and node.
 */
export * from './agreement.js';
export * from './masking.js';
export * from './prg.js';
export * from './ring.js';
export * from './shamir.js';
export * from './share-box.js';
export { chiSquareUniformBytes } from './test-support.js';
