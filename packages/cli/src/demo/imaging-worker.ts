/*
 * The worker thread of demo/imaging-generate.ts: generates every site's synthetic images, writes
 * them, and posts what it wrote (or the error's message) once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { generateSiteImaging, type SiteImagingJob } from './imaging-generate.js';

const jobs = workerData as SiteImagingJob[];
try {
  const sites = [];
  for (const job of jobs) sites.push(await generateSiteImaging(job));
  parentPort?.postMessage({ ok: true, sites });
} catch (e) {
  parentPort?.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
}
