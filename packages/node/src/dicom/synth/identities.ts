import { createHash } from 'node:crypto';
import type { Rng } from '@tessera/algorithms';
import { uidFromBytes } from '../core/uid.js';

/*
 * The identifying values planted in the synthetic series (issue 7 point 5). Each carries a token
 * of five capital letters unique within one generation, so a test that searches de-identified
 * files for them cannot be fooled by a value that happens to occur for another reason.
 */

const SURNAMES = ['Ashcombe', 'Brierley', 'Cardew', 'Dunmore', 'Everleigh', 'Fairbairn', 'Garside'];
const GIVEN = { F: ['Mary', 'Elspeth', 'Joan', 'Priya'], M: ['John', 'Tomasz', 'Ewan', 'Ravi'] };
const TOWNS = ['Exeter', 'Leeds', 'Norwich', 'Bangor'];

/** Unique five-letter tokens from a seeded source. */
export class TokenSource {
  private readonly used = new Set<string>();
  constructor(private readonly rng: Rng) {}

  next(): string {
    for (;;) {
      const t = Array.from({ length: 5 }, () => String.fromCharCode(65 + this.rng.int(26))).join(
        '',
      );
      if (!this.used.has(t)) {
        this.used.add(t);
        return t;
      }
    }
  }
}

/** Three digits from a token's first letters. */
const digits = (token: string): string =>
  Array.from(token.slice(0, 3), (c) => String(c.charCodeAt(0) % 10)).join('');

/** A patient's identifying values. */
export interface PatientIdentity {
  readonly id: string;
  /** DICOM PN: Family^Given. */
  readonly name: string;
  readonly sex: 'F' | 'M' | 'O';
  /** DICOM DA. */
  readonly birthDate: string;
  readonly address: string;
  readonly telephone: string;
  readonly otherIds: readonly string[];
  readonly history: string;
  readonly token: string;
}

/** The identifying values of one patient (the caller's name when given, else a made-up one). */
export function patientIdentity(
  p: { id: string; name?: string; sex: 'F' | 'M' | 'O'; birthDate: string },
  index: number,
  rng: Rng,
  tokens: TokenSource,
): PatientIdentity {
  const token = tokens.next();
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] as T;
  const given = pick(GIVEN[p.sex === 'O' ? (rng.uniform() < 0.5 ? 'F' : 'M') : p.sex]);
  const serial = String(index + 1).padStart(5, '0');
  return {
    id: p.id,
    name: p.name ?? `${pick(SURNAMES)}${token}^${given}`,
    sex: p.sex,
    birthDate: p.birthDate.replaceAll('-', ''),
    address: `${String(1 + rng.int(98))} ${token} Lane, ${pick(TOWNS)} EX${String(1 + rng.int(9))} ${serial}`,
    // Unique within a generation by the serial; the token's digits make other seeds differ.
    telephone: `+44 7${digits(token)} 9${serial}`,
    otherIds: [`MRN-${token}-${serial}`, `NHS${token}${serial}`],
    history: `Referred after a fall at ${token} Farm`,
    token,
  };
}

/** A study's identifying values. */
export interface StudyIdentity {
  readonly accession: string;
  readonly studyId: string;
  readonly requestedProcedureId: string;
  readonly scheduledStepId: string;
  readonly referringPhysician: string;
  readonly performingPhysician: string;
  readonly operator: string;
  readonly privateNote: string;
  readonly comments: string;
}

/** The identifying values of one study. */
export function studyIdentity(tokens: TokenSource): StudyIdentity {
  const t = tokens.next();
  return {
    accession: `ACC${t}01`,
    studyId: `SID${t}`,
    requestedProcedureId: `RP${t}`,
    scheduledStepId: `SPS${t}`,
    referringPhysician: `Referrer${t}^Anne^^Dr`,
    performingPhysician: `Performer${t}^Sam`,
    operator: `Operator${t}^Alex`,
    privateNote: `private note about ${t} household`,
    comments: `Patient anxious; spoke with ${t} family`,
  };
}

/** The site's identifying values (same for every file of one generation). */
export interface SiteIdentity {
  readonly institution: string;
  readonly institutionAddress: string;
  readonly station: string;
  readonly deviceSerial: string;
}

/** The site's identifying values; `institution` as given, else a made-up hospital. */
export function siteIdentity(tokens: TokenSource, institution?: string): SiteIdentity {
  const t = tokens.next();
  return {
    institution: institution ?? `St ${t} Hospital`,
    institutionAddress: `1 ${t} Street, London`,
    station: `CT${t}`,
    deviceSerial: `SN${t}42`,
  };
}

/**
 * A deterministic UUID-derived UID (PS3.5 B.2) for `path` within generation `seed`: SHA-256 of
 * both, first 16 bytes. The same seed and path always give the same UID.
 */
export function synthUid(seed: number, path: string): string {
  const h = createHash('sha256')
    .update(`tessera-synth\0${String(seed)}\0${path}`)
    .digest();
  return uidFromBytes(h);
}

/** Every planted text value of a patient, study or site. */
export function plantedValues(x: PatientIdentity | StudyIdentity | SiteIdentity): string[] {
  if ('token' in x) {
    // The family name alone is planted only when it carries the token (a caller's name may not
    // be unique).
    const family = x.name.split('^')[0] ?? '';
    const alone = family.includes(x.token) && family !== x.name ? [family] : [];
    return [x.id, x.name, ...alone, x.address, x.telephone, ...x.otherIds, x.history];
  }
  if ('accession' in x) {
    return [
      x.accession,
      x.studyId,
      x.requestedProcedureId,
      x.scheduledStepId,
      x.referringPhysician,
      x.performingPhysician,
      x.operator,
      x.privateNote,
      x.comments,
    ];
  }
  return [x.institution, x.institutionAddress, x.station, x.deviceSerial];
}
