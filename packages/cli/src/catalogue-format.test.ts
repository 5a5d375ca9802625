import { describe, expect, it } from 'vitest';
import { formatCatalogue } from './catalogue-format.js';

describe('formatCatalogue', () => {
  it('prints a variable × site table per dataset and the sites yet to publish', () => {
    const text = formatCatalogue({
      project: { id: '11111111-1111-4111-8111-111111111111', name: 'study' },
      sites: [
        { trust: 'alpha', publishedAt: '2024-05-01T10:00:00.000Z' },
        { trust: 'beta', publishedAt: '2024-05-01T10:00:00.000Z' },
        { trust: 'gamma', publishedAt: null },
      ],
      datasets: [
        {
          name: 'patients',
          sites: ['alpha', 'beta'],
          variables: [
            {
              name: 'age',
              sites: [
                { trust: 'alpha', kind: 'number' },
                { trust: 'beta', kind: 'number' },
              ],
            },
            { name: 'bmi', sites: [{ trust: 'alpha', kind: 'number' }] },
            {
              name: 'stage',
              sites: [
                { trust: 'beta', kind: 'categorical', levels: ['I', 'II', 'III', 'IV', 'V'] },
              ],
            },
          ],
        },
      ],
    });
    expect(text.split('\n')).toEqual([
      'project study',
      '',
      'dataset patients',
      'variable  alpha   beta',
      '────────  ──────  ' + '─'.repeat('categorical{I, II, III, IV, +1}'.length),
      'age       number  number',
      'bmi       number  —',
      'stage     —       categorical{I, II, III, IV, +1}',
      '',
      'not yet published: gamma',
      '',
    ]);
  });

  it('shows an identifier column as identifier, never as a categorical', () => {
    const text = formatCatalogue({
      project: { id: '11111111-1111-4111-8111-111111111111', name: 'study' },
      sites: [{ trust: 'alpha', publishedAt: '2024-05-01T10:00:00.000Z' }],
      datasets: [
        {
          name: 'imaging',
          sites: ['alpha'],
          variables: [
            {
              name: 'patient_id',
              sites: [{ trust: 'alpha', kind: 'categorical', identifier: true }],
            },
            { name: 'modality', sites: [{ trust: 'alpha', kind: 'categorical', levels: ['CT'] }] },
          ],
        },
      ],
    });
    expect(text.split('\n')).toEqual([
      'project study',
      '',
      'dataset imaging',
      'variable    alpha',
      '──────────  ───────────────',
      'patient_id  identifier',
      'modality    categorical{CT}',
      '',
    ]);
  });
});
