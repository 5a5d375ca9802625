import { describeFailure, type Harness } from './harness.js';
import type { HubHttp } from './hub-http.js';

/*
 * The admin's set-up of a consortium (users, projects, trusts), through the CLI commands of the
 * public contract or through the hub's HTTP API directly.
 */

async function must(
  h: Harness,
  args: readonly string[],
  env: Record<string, string>,
): Promise<void> {
  const r = await h.run(args, env);
  if (r.code !== 0) throw new Error(describeFailure(r));
}

/** What the admin does to set up a consortium. */
export interface AdminOps {
  createUser(email: string, role: string, passwordFile: string, password: string): Promise<void>;
  createProject(name: string): Promise<void>;
  addMember(project: string, email: string, role: string): Promise<void>;
  createTrust(name: string): Promise<{ name: string; apiKey: string }>;
  addTrust(project: string, trust: string): Promise<void>;
}

export function cliAdmin(h: Harness, env: Record<string, string>): AdminOps {
  return {
    async createUser(email, role, passwordFile) {
      await h.json(
        [
          'user',
          'create',
          '--email',
          email,
          '--role',
          role,
          '--password-file',
          passwordFile,
          '--json',
        ],
        env,
      );
    },
    async createProject(name) {
      const p = await h.json<{ id: string; name: string }>(
        ['project', 'create', name, '--json'],
        env,
      );
      if (p.name !== name || typeof p.id !== 'string')
        throw new Error(`project create answered ${JSON.stringify(p)}`);
    },
    async addMember(project, email, role) {
      await must(h, ['project', 'add-member', project, email, '--role', role], env);
    },
    createTrust: (name) => h.json(['trust', 'create', name, '--json'], env),
    async addTrust(project, trust) {
      await must(h, ['project', 'add-trust', project, trust], env);
    },
  };
}

export function httpAdmin(http: HubHttp, token: string): AdminOps {
  const post = <T>(path: string, body: unknown): Promise<T> =>
    http.ok<T>('POST', path, { token, body });
  return {
    async createUser(email, role, _file, password) {
      await post('/api/v1/users', { email, role, password });
    },
    async createProject(name) {
      await post('/api/v1/projects', { name });
    },
    async addMember(project, email, role) {
      await post(`/api/v1/projects/${project}/members`, { email, role });
    },
    createTrust: (name) => post('/api/v1/trusts', { name }),
    async addTrust(project, trust) {
      await post(`/api/v1/projects/${project}/trusts`, { trust });
    },
  };
}
