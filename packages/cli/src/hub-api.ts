import {
  artifactNameSchema,
  artifactSummarySchema,
  artifactViewSchema,
  auditVerifyResponseSchema,
  healthResponseSchema,
  jobViewSchema,
  loginResponseSchema,
  MAX_JOB_WAIT_MS,
  projectCatalogueSchema,
  projectViewSchema,
  trustKeyResponseSchema,
  trustViewSchema,
  userViewSchema,
  TesseraError,
  type AddMemberRequest,
  type ArtifactSummary,
  type ArtifactView,
  type AuditVerifyResponse,
  type CreateUserRequest,
  type JobView,
  type LoginResponse,
  type ProjectCatalogue,
  type ProjectView,
  type SubmitJobRequest,
  type TrustKeyResponse,
  type TrustView,
  type UserView,
} from '@tessera/protocol';
import { z } from 'zod';
import type { HubClient } from './hub-client.js';

/** The client ↔ hub routes the CLI uses, typed by the protocol schemas (STYLE 1). */
export interface HubApi {
  health(): Promise<z.infer<typeof healthResponseSchema>>;
  login(email: string, password: string): Promise<LoginResponse>;
  createUser(req: CreateUserRequest): Promise<UserView>;
  createTrust(name: string): Promise<TrustKeyResponse>;
  listTrusts(): Promise<TrustView[]>;
  rotateTrustKey(trust: string): Promise<TrustKeyResponse>;
  revokeTrust(trust: string): Promise<TrustView>;
  /** Forgets the node keys pinned at enrolment, so a rebuilt node can enrol again. */
  resetTrustKeys(trust: string): Promise<TrustView>;
  createProject(name: string, description?: string): Promise<ProjectView>;
  listProjects(): Promise<ProjectView[]>;
  getProject(project: string): Promise<ProjectView>;
  addMember(project: string, req: AddMemberRequest): Promise<ProjectView>;
  addTrust(project: string, trust: string): Promise<ProjectView>;
  /** Which sites hold which variables of the datasets exposed to the project. */
  getCatalogue(project: string): Promise<ProjectCatalogue>;
  submitJob(req: SubmitJobRequest): Promise<JobView>;
  /**
   * The job, held by the hub until it finishes or `waitMs` pass (0: at once); with `sinceRound`,
   * also as soon as its round is no longer that one (its next step opened).
   */
  getJob(id: string, waitMs?: number, sinceRound?: number): Promise<JobView>;
  /** The names and sizes of the documents a job keeps (e.g. 'model/final'), sorted by name. */
  listArtifacts(jobId: string): Promise<ArtifactSummary[]>;
  /**
   * One of a job's documents with its provenance.
   * @throws TesseraError BAD_REQUEST for a malformed name (before any request), NOT_FOUND.
   */
  getArtifact(jobId: string, name: string): Promise<ArtifactView>;
  verifyAudit(): Promise<AuditVerifyResponse>;
}

const seg = (s: string): string => encodeURIComponent(s);
// List routes may answer a bare array or an object holding one; accept both.
const listOf = <T>(item: z.ZodType<T>, key: string): z.ZodType<T[]> =>
  z.union([z.array(item), z.object({ [key]: z.array(item) }).transform((o) => o[key] as T[])]);

/** Wraps a {@link HubClient} in the typed routes. Every method throws what `client.call` throws. */
export function createHubApi(client: HubClient): HubApi {
  return {
    health: () => client.call('GET', '/api/v1/health', healthResponseSchema),
    login: (email, password) =>
      client.call('POST', '/api/v1/auth/login', loginResponseSchema, { email, password }),
    createUser: (req) => client.call('POST', '/api/v1/users', userViewSchema, req),
    createTrust: (name) => client.call('POST', '/api/v1/trusts', trustKeyResponseSchema, { name }),
    listTrusts: () => client.call('GET', '/api/v1/trusts', listOf(trustViewSchema, 'trusts')),
    rotateTrustKey: (trust) =>
      client.call('POST', `/api/v1/trusts/${seg(trust)}/rotate-key`, trustKeyResponseSchema, {}),
    revokeTrust: (trust) =>
      client.call('POST', `/api/v1/trusts/${seg(trust)}/revoke`, trustViewSchema, {}),
    resetTrustKeys: (trust) =>
      client.call('POST', `/api/v1/trusts/${seg(trust)}/reset-keys`, trustViewSchema, {}),
    createProject: (name, description = '') =>
      client.call('POST', '/api/v1/projects', projectViewSchema, { name, description }),
    listProjects: () =>
      client.call('GET', '/api/v1/projects', listOf(projectViewSchema, 'projects')),
    getProject: (project) =>
      client.call('GET', `/api/v1/projects/${seg(project)}`, projectViewSchema),
    addMember: (project, req) =>
      client.call('POST', `/api/v1/projects/${seg(project)}/members`, projectViewSchema, req),
    addTrust: (project, trust) =>
      client.call('POST', `/api/v1/projects/${seg(project)}/trusts`, projectViewSchema, { trust }),
    getCatalogue: (project) =>
      client.call('GET', `/api/v1/projects/${seg(project)}/catalogue`, projectCatalogueSchema),
    submitJob: (req) => client.call('POST', '/api/v1/jobs', jobViewSchema, req),
    getJob: (id, waitMs = 0, sinceRound) => {
      const wait = Math.max(0, Math.min(MAX_JOB_WAIT_MS, Math.round(waitMs)));
      const q = new URLSearchParams();
      if (wait > 0) q.set('wait', String(wait));
      if (wait > 0 && sinceRound !== undefined) q.set('sinceRound', String(sinceRound));
      const query = q.size === 0 ? '' : `?${q.toString()}`;
      return client.call('GET', `/api/v1/jobs/${seg(id)}${query}`, jobViewSchema);
    },
    listArtifacts: (jobId) =>
      client.call('GET', `/api/v1/jobs/${seg(jobId)}/artifacts`, z.array(artifactSummarySchema)),
    getArtifact: (jobId, name) => {
      const checked = artifactNameSchema.safeParse(name);
      if (!checked.success) {
        return Promise.reject(
          new TesseraError(
            'BAD_REQUEST',
            `"${name.slice(0, 80)}" is not an artifact name (e.g. model/final): ${checked.error.issues[0]?.message ?? ''}`,
          ),
        );
      }
      // The name's '/' stay as they are: the hub takes the rest of the path as the name.
      return client.call(
        'GET',
        `/api/v1/jobs/${seg(jobId)}/artifacts/${checked.data}`,
        artifactViewSchema,
      );
    },
    verifyAudit: () => client.call('GET', '/api/v1/audit/verify', auditVerifyResponseSchema),
  };
}
