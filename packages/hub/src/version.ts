/** The hub's software version, reported by /health. */
export const HUB_VERSION = '0.1.0';
