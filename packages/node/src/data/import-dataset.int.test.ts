import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCsv, makeNode, makeTempDir, writeCsvFile } from '../testing/helpers.js';
import { importDataset, nodeStatus, verifyNodeAudit } from '../index.js';
import { loadTable } from './dataset-format.js';

let base: string;
let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir: base, cleanup } = await makeTempDir());
  dir = (await makeNode(base)).dir;
});
afterEach(() => cleanup());

const importText = async (
  text: string,
  extra: { name?: string; idColumn?: string; replace?: boolean } = {},
) =>
  importDataset({
    dir,
    name: extra.name ?? 'cohort',
    file: await writeCsvFile(base, 'in.csv', text),
    ...extra,
  });

describe('importDataset', () => {
  it('infers number, date and categorical columns and stores a table that loads back', async () => {
    const res = await importText(
      'age,sex,visit,bmi\n50,F,2020-01-02,NA\n61,M,2021-12-31,27.5\n',
      {},
    );
    expect(res).toEqual({
      name: 'cohort',
      rows: 2,
      variables: [
        { name: 'age', kind: 'number' },
        { name: 'sex', kind: 'categorical', levels: ['F', 'M'] },
        { name: 'visit', kind: 'date' },
        { name: 'bmi', kind: 'number' },
      ],
    });
    const { table } = await loadTable(join(dir, 'datasets', 'cohort'));
    expect(table.rows).toBe(2);
    const age = table.columns.age;
    expect(age?.kind === 'number' ? [...age.values] : null).toEqual([50, 61]);
    const bmi = table.columns.bmi;
    expect(bmi?.kind === 'number' && Number.isNaN(bmi.values[0])).toBe(true);
  });

  it('pseudonymises the id column with the node key and never puts it in the table', async () => {
    await importText(makeCsv(12), { idColumn: 'id' });
    const { table, schema } = await loadTable(join(dir, 'datasets', 'cohort'));
    expect(Object.keys(table.columns).sort()).toEqual(['age', 'sex', 'visit']);
    expect(schema.idColumn).toBe('id');
    const ids = (await readFile(join(dir, 'datasets', 'cohort', 'ids.txt'), 'utf8'))
      .trim()
      .split('\n');
    const key = await readFile(join(dir, 'secrets', 'pseudonym.key'));
    expect(ids[0]).toBe(createHmac('sha256', key).update('P1000').digest('hex'));
    const files = await Promise.all(
      (await readdir(join(dir, 'datasets', 'cohort'))).map((f) =>
        readFile(join(dir, 'datasets', 'cohort', f), 'latin1'),
      ),
    );
    expect(files.some((f) => f.includes('P1000'))).toBe(false);
  });

  it('names the line of a ragged row', async () => {
    await expect(importText('a,b\n1,2\n3\n')).rejects.toThrow(
      /CSV line 3: expected 2 fields, found 1/,
    );
  });

  it('names line and column of a bad or duplicate header', async () => {
    await expect(importText('a,2b\n1,2\n')).rejects.toThrow(
      /line 1, column 2: "2b" is not a valid variable name/,
    );
    await expect(importText('a,a\n1,2\n')).rejects.toThrow(
      /line 1, column 2: the variable name "a" appears twice/,
    );
  });

  it('refuses an empty file and an unknown id column', async () => {
    await expect(importText('')).rejects.toThrow(/empty/);
    await expect(importText('a\n1\n', { idColumn: 'pid' })).rejects.toThrow(
      /id column "pid" is not in the CSV header/,
    );
  });

  it('leaves no dataset and no temp folder after a failed import', async () => {
    await expect(importText('a,b\n1,2\n3,"x\n')).rejects.toThrow(/line 3, column 2/);
    expect(await readdir(join(dir, 'datasets'))).toEqual([]);
  });

  it('refuses an existing name unless replace, and a failed replace keeps the old dataset intact', async () => {
    await importText(makeCsv(20));
    await expect(importText(makeCsv(5))).rejects.toThrow(/exists/);
    await expect(importText('a,b\n1\n', { replace: true })).rejects.toThrow(/line 2/);
    const { table } = await loadTable(join(dir, 'datasets', 'cohort'));
    expect(table.rows).toBe(20);
    await importText(makeCsv(5), { replace: true });
    expect((await loadTable(join(dir, 'datasets', 'cohort'))).table.rows).toBe(5);
    expect((await readdir(join(dir, 'datasets'))).sort()).toEqual(['cohort']);
  });

  it('audits each import without data values, and status lists the dataset', async () => {
    await importText(makeCsv(11), { idColumn: 'id' });
    const log = await readFile(join(dir, 'audit.log'), 'utf8');
    expect(log).toContain('"dataset.imported"');
    expect(log).not.toContain('P1000');
    expect((await verifyNodeAudit(dir)).ok).toBe(true);
    const st = await nodeStatus(dir);
    expect(st.datasets.map((d) => [d.name, d.rows])).toEqual([['cohort', 11]]);
  });
});
