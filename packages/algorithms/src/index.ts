/**
 * @tessera/algorithms — federated algorithms as pure functions (DESIGN "Packages").
 */
export * from './framework.js';
export * from './table.js';
