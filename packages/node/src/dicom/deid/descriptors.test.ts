import { describe, expect, it } from 'vitest';
import type { DicomDataset } from '../core/types.js';
import { setString } from '../core/values.js';
import { identifyingValues, isCleanDescriptor } from './descriptors.js';

function dataset(): DicomDataset {
  const ds: DicomDataset = new Map();
  setString(ds, 0x00100010, 'Okonkwo^Li');
  setString(ds, 0x00100020, 'H7731');
  setString(ds, 0x00080080, 'Harbourside General');
  const nested: DicomDataset = new Map();
  setString(nested, 0x00400006, 'Vasquez^Maria');
  ds.set(0x00400275, { tag: 0x00400275, vr: 'SQ', items: [nested] });
  return ds;
}

describe('isCleanDescriptor', () => {
  const ids = identifyingValues(dataset());

  it('keeps ordinary protocol and series descriptions', () => {
    for (const ok of [
      'AX T1 POST',
      'CT HEAD W/O CONTRAST',
      'Thorax 1.5mm',
      'DWI b=800',
      'Schädel nativ',
    ]) {
      expect(isCleanDescriptor(ok, ids), ok).toBe(true);
    }
  });

  it('drops dates, long digit runs and ID-like numbers', () => {
    for (const bad of [
      'CT 2023-03-14',
      'HEAD 14.03.23',
      'ACC 123456',
      'Study 3/4/2023',
      'DWI b=1000',
    ]) {
      expect(isCleanDescriptor(bad, ids), bad).toBe(false);
    }
  });

  it("drops the instance's own names and identifiers, at any depth, ignoring case", () => {
    for (const bad of [
      'CT for okonkwo',
      'Li knee',
      'ref H7731',
      'Harbourside General head',
      'by VASQUEZ',
    ]) {
      expect(isCleanDescriptor(bad, ids), bad).toBe(false);
    }
    // A two-letter name component counts only as a whole word.
    expect(isCleanDescriptor('CLINICAL LIVER', ids)).toBe(true);
  });

  it('drops person-name and e-mail syntax, line breaks, empty and overlong text', () => {
    for (const bad of ['Doe^John', 'a@b.org', 'line one\nline two', '', '   ', 'x'.repeat(65)]) {
      expect(isCleanDescriptor(bad, ids), JSON.stringify(bad)).toBe(false);
    }
    expect(isCleanDescriptor('x'.repeat(64), ids)).toBe(true);
  });

  it('judges each value of a multi-valued descriptor', () => {
    expect(isCleanDescriptor('AXIAL\\T1', ids)).toBe(true);
    expect(isCleanDescriptor('AXIAL\\Okonkwo', ids)).toBe(false);
    expect(isCleanDescriptor('AXIAL\\T1', ids, false)).toBe(false);
  });
});
