import { cohortVariables, type Cohort } from '@tessera/protocol';

/*
 * Identifier columns never leave the node (issue 7): an imaging dataset's patient_id, study_uid
 * and series_uid are read implicitly by the imaging algorithms, to count distinct patients and
 * find pixels, but a job that names one — as a variable (a crosstab on patient_id releases a
 * count per patient, and the levels themselves) or in its cohort (`patient_id = <pseudonym>`
 * selects one patient) — is refused before anything runs.
 */

/** Where a task names an identifier column. */
export interface IdentifierUse {
  readonly variable: string;
  readonly dataset: string;
  readonly where: 'variables' | 'cohort';
}

/**
 * The first identifier column the task names: among the algorithm's variables `read` first,
 * then the cohort's, an identifier of any of the datasets `names` (the job's rows are their
 * union, so one dataset declaring it is enough), or null. Pure.
 */
export function identifierUse(
  read: readonly string[],
  cohort: Cohort | null,
  names: readonly string[],
  identifiers: ReadonlyMap<string, readonly string[]>,
): IdentifierUse | null {
  const owner = (v: string): string | undefined =>
    names.find((n) => identifiers.get(n)?.includes(v) === true);
  for (const [where, vars] of [
    ['variables', read],
    ['cohort', cohortVariables(cohort)],
  ] as const) {
    for (const variable of vars) {
      const dataset = owner(variable);
      if (dataset !== undefined) return { variable, dataset, where };
    }
  }
  return null;
}

/** The refusal reason for `use`, naming the column and the dataset (never a value). */
export function identifierReason(use: IdentifierUse): string {
  const column = `an identifier column of dataset ${use.dataset}`;
  return use.where === 'variables'
    ? `variable ${use.variable} is ${column}; no job may read it`
    : `the cohort names ${use.variable}, ${column}; no cohort may filter on it`;
}
