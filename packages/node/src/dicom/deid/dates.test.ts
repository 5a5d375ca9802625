import { describe, expect, it } from 'vitest';
import { isoDate, shiftDa, shiftDt } from './dates.js';

describe('shiftDa', () => {
  it('shifts by whole days across month, year and leap days', () => {
    expect(shiftDa('20230314', -14)).toBe('20230228');
    expect(shiftDa('20240301', -1)).toBe('20240229');
    expect(shiftDa('20230101', -1)).toBe('20221231');
    expect(shiftDa('20230314', -3650)).toBe('20130316');
  });

  it('shifts both ends of a range and keeps open ends open', () => {
    expect(shiftDa('20230301-20230314', -10)).toBe('20230219-20230304');
    expect(shiftDa('-20230314', -1)).toBe('-20230313');
    expect(shiftDa('20230314-', -1)).toBe('20230313-');
  });

  it('gives undefined for text that is not a date', () => {
    for (const bad of [
      '2023-03-14',
      '20231314',
      '20230230',
      'yesterday',
      '2023031',
      '-',
      '1-2-3',
    ]) {
      expect(shiftDa(bad, -1), bad).toBeUndefined();
    }
    expect(shiftDa('', -5)).toBe('');
  });
});

describe('shiftDt', () => {
  it('shifts the date part and keeps time, fraction and UTC offset', () => {
    expect(shiftDt('20230314101500.250000+0100', -20)).toBe('20230222101500.250000+0100');
    expect(shiftDt('20230314', -1)).toBe('20230313');
    expect(shiftDt('2023031410', -1)).toBe('2023031310');
  });

  it('keeps the precision of a partial date', () => {
    expect(shiftDt('202303', -1)).toBe('202302');
    expect(shiftDt('2023', -1)).toBe('2022');
    expect(shiftDt('2023-0500', -1)).toBe('2022-0500');
  });

  it('gives undefined for text that is not a DT', () => {
    for (const bad of ['2023-03-14T10:00', '20231399', 'now', '202303141015001']) {
      expect(shiftDt(bad, -1), bad).toBeUndefined();
    }
  });
});

describe('isoDate', () => {
  it('writes a DA value as YYYY-MM-DD and nothing else', () => {
    expect(isoDate('20230314')).toBe('2023-03-14');
    expect(isoDate('20230230')).toBeUndefined();
    expect(isoDate('')).toBeUndefined();
  });
});
