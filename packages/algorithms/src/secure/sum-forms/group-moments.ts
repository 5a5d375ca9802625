import {
  anovaLocalOutputSchema,
  type AnovaLocalOutput,
  type AnovaParams,
} from '../../anova/schemas.js';
import {
  ttestLocalOutputSchema,
  ttestPairedLocalOutputSchema,
  type TtestLocalOutput,
  type TtestPairedLocalOutput,
  type TtestParams,
} from '../../ttest/schemas.js';
import {
  layoutList,
  NO_LAYOUT,
  VectorReader,
  VectorWriter,
  type Layout,
  type SumForm,
} from '../sum-form.js';
import { MOMENTS_LENGTH, readMoments, writeMoments } from './moments.js';

/*
 * `anova` step 'groups' and `ttest` step 'groups' as sums: per group n, Σx, Σx² (moments.ts).
 * The group names are public shape facts (the plain step releases them per site), merged as a
 * layout so every site writes its groups on the same axes; a group a site lacks adds zeros.
 */

const GROUPS = 'groups';

const zero = { count: 0, mean: 0, m2: 0 };

/** `anova` step 'groups'. */
export const anovaSumForm: SumForm<AnovaParams> = {
  layout(output) {
    const o = anovaLocalOutputSchema.parse(output);
    return { [GROUPS]: Object.keys(o.groups) };
  },
  length: (_params, _input, layout) => MOMENTS_LENGTH * layoutList(layout, GROUPS).length,
  toVector(output, _params, _input, layout) {
    const parsed = anovaLocalOutputSchema.safeParse(output);
    if (!parsed.success) throw new Error('output does not fit the anova step');
    const groups = layoutList(layout, GROUPS);
    const w = new VectorWriter(MOMENTS_LENGTH * groups.length);
    for (const g of groups) {
      writeMoments(
        w,
        Object.hasOwn(parsed.data.groups, g) ? (parsed.data.groups[g] ?? zero) : zero,
      );
    }
    return w.done();
  },
  fromSum(sum, _params, _input, _sites, layout): AnovaLocalOutput {
    const r = new VectorReader(sum);
    const groups: AnovaLocalOutput['groups'] = {};
    for (const g of layoutList(layout, GROUPS)) groups[g] = readMoments(r);
    r.done();
    return { groups };
  },
};

/**
 * The two levels of a two-sample test in the job's order: the job's `levels` when given, else
 * the sites' levels (each site's, sorted), which must be two in all.
 * @throws Error when the sites' levels do not make exactly two.
 */
function twoLevels(params: TtestParams, levels: readonly string[]): [string, string] {
  const named = 'levels' in params ? params.levels : undefined;
  const pair = named ?? levels;
  const [a, b] = pair;
  if (pair.length !== 2 || a === undefined || b === undefined) {
    throw new Error(`the sites' groups make ${levels.length} levels, not two; name them in levels`);
  }
  return [a, b];
}

const isPaired = (params: TtestParams): boolean => 'paired' in params && params.paired === true;

/** `ttest` step 'groups', two-sample (two groups' moments) and paired (the differences'). */
export const ttestSumForm: SumForm<TtestParams> = {
  layout(output, params): Layout {
    if (isPaired(params)) return NO_LAYOUT;
    return { [GROUPS]: [...ttestLocalOutputSchema.parse(output).levels] };
  },
  length: (params) => (isPaired(params) ? MOMENTS_LENGTH : 2 * MOMENTS_LENGTH),
  toVector(output, params, _input, layout) {
    if (isPaired(params)) {
      const parsed = ttestPairedLocalOutputSchema.safeParse(output);
      if (!parsed.success) throw new Error('output does not fit the paired ttest step');
      const w = new VectorWriter(MOMENTS_LENGTH);
      writeMoments(w, parsed.data.differences);
      return w.done();
    }
    const parsed = ttestLocalOutputSchema.safeParse(output);
    if (!parsed.success) throw new Error('output does not fit the ttest step');
    const order = twoLevels(params, layoutList(layout, GROUPS));
    const w = new VectorWriter(2 * MOMENTS_LENGTH);
    for (const level of order) {
      const k = parsed.data.levels.indexOf(level);
      writeMoments(w, k < 0 ? zero : (parsed.data.groups[k] ?? zero));
    }
    return w.done();
  },
  fromSum(sum, params, _input, _sites, layout): TtestLocalOutput | TtestPairedLocalOutput {
    const r = new VectorReader(sum);
    if (isPaired(params)) {
      const differences = readMoments(r);
      r.done();
      return { paired: true, differences };
    }
    const levels = twoLevels(params, layoutList(layout, GROUPS));
    const groups: TtestLocalOutput['groups'] = [readMoments(r), readMoments(r)];
    r.done();
    return { levels, groups };
  },
};
