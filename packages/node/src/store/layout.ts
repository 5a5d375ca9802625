import { join } from 'node:path';

/** Where each piece of a node's state lives under its folder (see the package README). */
export function nodePaths(dir: string) {
  return {
    dir,
    config: join(dir, 'node.json'),
    apiKey: join(dir, 'secrets', 'api-key'),
    pseudonymKey: join(dir, 'secrets', 'pseudonym.key'),
    sealKey: join(dir, 'keys', 'seal.pem'),
    signKey: join(dir, 'keys', 'sign.pem'),
    hubKeys: join(dir, 'hub-keys.json'),
    policy: join(dir, 'policy.json'),
    datasets: join(dir, 'datasets'),
    dataset: (name: string) => join(dir, 'datasets', name),
    tasks: join(dir, 'tasks'),
    task: (taskId: string) => join(dir, 'tasks', `${taskId}.json`),
    audit: join(dir, 'audit.log'),
    run: join(dir, 'run'),
    consoleUrl: join(dir, 'run', 'console.url'),
    /** One lock for every read-modify-write of shared state (policy, audit, datasets). */
    lock: join(dir, 'state.lock'),
  };
}
export type NodePaths = ReturnType<typeof nodePaths>;
