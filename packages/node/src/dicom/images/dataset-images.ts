import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { nodePaths } from '../../store/layout.js';
import { loadDicomIndex, type DicomIndex } from '../ingest/dicom-index.js';
import { IMAGING_MARKER } from '../ingest/imaging-dataset.js';

/**
 * The node folder of an imaging dataset's folder (`<node>/datasets/<name>` holding the marker
 * the store writes when it makes the dataset from its index), or null for a tabular dataset.
 */
export function imagingNodeDir(datasetDir: string): string | null {
  return existsSync(join(datasetDir, IMAGING_MARKER))
    ? dirname(dirname(resolve(datasetDir)))
    : null;
}

/**
 * The imaging index behind a dataset folder, or null for a tabular dataset. The index is read
 * as it is now: it may hold instances stored after the dataset was last rebuilt (the store
 * rebuilds it a moment later), which pixel access then counts too.
 * @throws I/O errors other than a missing index (an empty one).
 */
export async function datasetImagingIndex(datasetDir: string): Promise<DicomIndex | null> {
  const dir = imagingNodeDir(datasetDir);
  return dir === null ? null : loadDicomIndex(nodePaths(dir));
}
