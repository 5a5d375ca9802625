/**
 * @tessera/cli as a library: the CLI runner and the demo's building blocks, so end-to-end tests
 * start hubs and nodes as real processes exactly as the demo does.
 */
export { runCli, buildProgram } from './program.js';
export { readCliEnv, loadSession, saveSession, type CliEnv, type Session } from './config.js';
export { createHubClient, type HubClient, type HubClientOptions } from './hub-client.js';
export { createHubApi, type HubApi } from './hub-api.js';
export { submitAndWait, waitForJob } from './job-runner.js';
export { hubInit } from './commands/hub.js';
export { nodeInit } from './commands/node.js';
export { loginToHub } from './commands/login.js';
export {
  ProcessGroup,
  startHubProcess,
  startNodeProcess,
  waitForHealth,
  type HubProcess,
  type NodeProcess,
} from './demo/components.js';
export { spawnTessera, TESSERA_BIN, type TesseraProcess } from './demo/processes.js';
export { createSite, sitePaths, type Site } from './demo/site.js';
export { findFreePort } from './demo/free-port.js';
export { runDemo } from './demo/run-demo.js';
export { demoStages } from './demo/demo-stages.js';
export type { Io } from './output.js';
