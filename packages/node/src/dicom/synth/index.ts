/*
 * Synthetic CT and MR series with planted identifying values (issue 7 point 5).
 */
export {
  generateImagingStudies,
  type ImagingStudies,
  type ImagingStudiesOptions,
  type SynthFile,
  type SynthPatient,
  type SynthSeries,
} from './generate.js';
export { writeImagingFolder } from './write-folder.js';
export { PRIVATE_CREATOR, SOP_CLASS } from './instance.js';
export { CT_HU, MR_SIGNAL, TISSUES, type Tissue } from './phantom.js';
