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
    /** The DICOM site secret (32 bytes, 0600): UID remapping, date shifts, at-rest encryption. */
    dicomKey: join(dir, 'secrets', 'dicom.key'),
    /** The imaging store (issue 7); see dicom/ingest/README.md. */
    dicom: {
      root: join(dir, 'dicom'),
      /** De-identified Part 10 files, `<study>/<series>/<sop>.dcm` from remapped UIDs. */
      store: join(dir, 'dicom', 'store'),
      /** The imaging index: one JSON line per stored instance. */
      index: join(dir, 'dicom', 'index.jsonl'),
      /** Inputs that could not be parsed or de-identified, encrypted (`<id>.bin` + `<id>.json`). */
      quarantine: join(dir, 'dicom', 'quarantine'),
      /** De-identified images flagged with burned-in annotation, encrypted, awaiting the operator. */
      held: join(dir, 'dicom', 'held'),
      /** Temporary files of the receiver, STOW-RS and imports (same file system as the store). */
      tmp: join(dir, 'dicom', 'tmp'),
    },
    /** One lock for every read-modify-write of shared state (policy, audit, datasets). */
    lock: join(dir, 'state.lock'),
  };
}
export type NodePaths = ReturnType<typeof nodePaths>;
