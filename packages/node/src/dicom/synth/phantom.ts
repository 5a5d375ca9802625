import type { Rng } from '@tessera/algorithms';

/*
 * Body-like phantoms for the synthetic CT and MR series (issue 7 point 5): a slice is a map of
 * tissue classes (ellipses inside a body outline), then intensities per class with noise. Pure
 * and seeded. Plausible at a glance, not anatomy.
 */

/** Tissue classes of the phantom. */
export const TISSUES = ['air', 'lung', 'fat', 'soft', 'organ', 'fluid', 'bone'] as const;
export type Tissue = (typeof TISSUES)[number];

/** The body parts the generator draws; the value is DICOM's Body Part Examined. */
export const BODY_PARTS = ['HEAD', 'CHEST', 'ABDOMEN'] as const;
export type BodyPart = (typeof BODY_PARTS)[number];

/** CT numbers (Hounsfield units) of each class, and the noise sd. */
export const CT_HU: Readonly<Record<Tissue, number>> = {
  air: -1000,
  lung: -850,
  fat: -100,
  soft: 40,
  organ: 60,
  fluid: 10,
  bone: 900,
};
export const CT_NOISE_SD = 12;

/** MR signal of each class (arbitrary units) in T1- and T2-weighted series. */
export const MR_SIGNAL: Readonly<Record<'T1' | 'T2', Readonly<Record<Tissue, number>>>> = {
  // T1: fat bright, fluid dark, cortical bone and air without signal.
  T1: { air: 0, lung: 40, fat: 1400, soft: 700, organ: 800, fluid: 250, bone: 120 },
  // T2: fluid bright, fat intermediate.
  T2: { air: 0, lung: 30, fat: 900, soft: 500, organ: 650, fluid: 1900, bone: 80 },
};
export const MR_NOISE_SD = 20;

const CLASS: Readonly<Record<Tissue, number>> = {
  air: 0,
  lung: 1,
  fat: 2,
  soft: 3,
  organ: 4,
  fluid: 5,
  bone: 6,
};

/** One ellipse: centre and semi-axes as fractions of the image side, filled with `tissue`. */
interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
  readonly tissue: Tissue;
}

/** A patient's variation of the phantom: size and position of the body. */
export interface PhantomShape {
  /** Scale of the body (0.9–1.1). */
  readonly scale: number;
  /** Shift of the centre, in fractions of the side. */
  readonly dx: number;
  readonly dy: number;
}

/** A patient's phantom variation from the seeded source. */
export function phantomShape(rng: Rng): PhantomShape {
  return {
    scale: 0.9 + 0.2 * rng.uniform(),
    dx: (rng.uniform() - 0.5) * 0.04,
    dy: (rng.uniform() - 0.5) * 0.04,
  };
}

/** The ellipses of a body part at slice position z in [0, 1] (later ones paint over earlier). */
function ellipses(part: BodyPart, z: number): Ellipse[] {
  // Structures change size along z so that slices differ like a real stack does.
  const wave = Math.sin(Math.PI * z);
  if (part === 'HEAD') {
    const r = 0.3 + 0.08 * wave;
    return [
      { cx: 0.5, cy: 0.5, rx: r + 0.04, ry: r * 1.2 + 0.04, tissue: 'soft' },
      { cx: 0.5, cy: 0.5, rx: r + 0.02, ry: r * 1.2 + 0.02, tissue: 'bone' },
      { cx: 0.5, cy: 0.5, rx: r, ry: r * 1.2, tissue: 'organ' },
      { cx: 0.45, cy: 0.48, rx: 0.03 + 0.03 * wave, ry: 0.09, tissue: 'fluid' },
      { cx: 0.55, cy: 0.48, rx: 0.03 + 0.03 * wave, ry: 0.09, tissue: 'fluid' },
    ];
  }
  const body: Ellipse[] = [
    { cx: 0.5, cy: 0.5, rx: 0.42, ry: 0.3, tissue: 'fat' },
    { cx: 0.5, cy: 0.5, rx: 0.38, ry: 0.26, tissue: 'soft' },
    { cx: 0.5, cy: 0.7, rx: 0.05, ry: 0.05, tissue: 'bone' },
  ];
  if (part === 'CHEST') {
    return [
      ...body,
      { cx: 0.33, cy: 0.47, rx: 0.11 + 0.03 * wave, ry: 0.16, tissue: 'lung' },
      { cx: 0.67, cy: 0.47, rx: 0.11 + 0.03 * wave, ry: 0.16, tissue: 'lung' },
      { cx: 0.52, cy: 0.45, rx: 0.08, ry: 0.07 + 0.02 * wave, tissue: 'organ' },
    ];
  }
  return [
    ...body,
    { cx: 0.38, cy: 0.45, rx: 0.14, ry: 0.12 + 0.02 * wave, tissue: 'organ' },
    { cx: 0.64, cy: 0.6, rx: 0.05, ry: 0.07, tissue: 'organ' },
    { cx: 0.36, cy: 0.6, rx: 0.05, ry: 0.07, tissue: 'organ' },
    { cx: 0.58, cy: 0.38, rx: 0.06 * wave + 0.01, ry: 0.04, tissue: 'fluid' },
    { cx: 0.6, cy: 0.5, rx: 0.03, ry: 0.02, tissue: 'air' },
  ];
}

/** The tissue class index of every pixel of a size × size slice (row-major). */
export function tissueMap(
  part: BodyPart,
  z: number,
  size: number,
  shape: PhantomShape,
): Uint8Array {
  const out = new Uint8Array(size * size); // air
  for (const e of ellipses(part, z)) {
    const cx = (e.cx - 0.5) * shape.scale + 0.5 + shape.dx;
    const cy = (e.cy - 0.5) * shape.scale + 0.5 + shape.dy;
    const rx = e.rx * shape.scale;
    const ry = e.ry * shape.scale;
    const code = CLASS[e.tissue];
    for (let r = 0; r < size; r++) {
      const y = (r + 0.5) / size;
      for (let c = 0; c < size; c++) {
        const x = (c + 0.5) / size;
        if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) out[r * size + c] = code;
      }
    }
  }
  return out;
}

/**
 * CT stored values of a slice: HU of each class plus Gaussian noise, clamped to [−1024, 3071],
 * stored as HU + 1024 (Rescale Intercept −1024, slope 1) in signed 16 bits.
 */
export function ctSlice(map: Uint8Array, rng: Rng): Int16Array {
  const hu = TISSUES.map((t) => CT_HU[t]);
  return Int16Array.from(map, (k) => {
    const v = Math.round((hu[k] ?? -1000) + CT_NOISE_SD * rng.normal());
    return Math.min(3071, Math.max(-1024, v)) + 1024;
  });
}

/** MR values of a slice: the class signal plus noise, magnitude (never negative), unsigned 16 bits. */
export function mrSlice(map: Uint8Array, weighting: 'T1' | 'T2', rng: Rng): Uint16Array {
  const signal = TISSUES.map((t) => MR_SIGNAL[weighting][t]);
  return Uint16Array.from(map, (k) =>
    Math.min(65535, Math.round(Math.abs((signal[k] ?? 0) + MR_NOISE_SD * rng.normal()))),
  );
}
