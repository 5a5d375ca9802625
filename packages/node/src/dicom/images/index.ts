/*
 * Pixel access for local steps and labelled thumbnails for training (issue 7 point 4).
 */
export { storeSeriesImages } from './store-images.js';
export { datasetImagingIndex, imagingNodeDir } from './dataset-images.js';
export {
  MAX_THUMBNAIL_SIZE,
  joinLabelledImages,
  loadLabelledImages,
  loadLabelsTable,
  type JoinImagesOptions,
  type LabelledImages,
} from './labelled.js';
