-- Tessera hub schema, version 1 (issue 2: users, sessions, trusts, projects, jobs, tasks, audit).
-- Timestamps are timestamptz except in audit_log, whose fields are kept as the exact text that was
-- hashed so that the chain verifies byte for byte.

CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('admin', 'researcher', 'observer')),
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  last_login_at timestamptz
);

CREATE TABLE sessions (
  key_id text PRIMARY KEY,
  token_hash text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE trusts (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  -- The API key's lookup id and SHA-256; the key itself is never stored (DESIGN "Node identity").
  key_id text NOT NULL UNIQUE,
  key_hash text NOT NULL,
  revoked boolean NOT NULL DEFAULT false,
  node_seal_public text,
  node_sign_public text,
  enrolled_at timestamptz,
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz
);

CREATE TABLE projects (
  id uuid PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL
);

CREATE TABLE project_members (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('researcher', 'observer')),
  added_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, user_id)
);

CREATE TABLE project_trusts (
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  trust_id uuid NOT NULL REFERENCES trusts (id) ON DELETE CASCADE,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (project_id, trust_id)
);

CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id),
  algorithm text NOT NULL,
  algorithm_version text NOT NULL,
  params jsonb NOT NULL,
  datasets jsonb NOT NULL,
  cohort jsonb,
  secure_aggregation boolean NOT NULL DEFAULT false,
  -- The algorithm's hub state (HubDecision.state), persisted so a restarted hub resumes.
  state jsonb,
  step text,
  round integer NOT NULL DEFAULT 0,
  min_sites integer NOT NULL DEFAULT 1,
  step_deadline timestamptz,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  result jsonb,
  error jsonb,
  trace_id text NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX jobs_project ON jobs (project_id, created_at);
CREATE INDEX jobs_running ON jobs (status) WHERE status = 'running';

CREATE TABLE tasks (
  id uuid PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  trust_id uuid NOT NULL REFERENCES trusts (id),
  round integer NOT NULL,
  step text NOT NULL,
  -- queued → leased (→ leased again after lease expiry) → done; closed = step ended unanswered.
  status text NOT NULL CHECK (status IN ('queued', 'leased', 'done', 'closed')),
  attempt integer NOT NULL DEFAULT 0,
  lease_until timestamptz,
  -- The payload sealed to the node's pinned key at creation; re-signed with a fresh header on
  -- every delivery.
  sealed jsonb NOT NULL,
  result jsonb,
  site_status text CHECK (site_status IN ('ok', 'refused', 'failed')),
  site_code text,
  site_reason text,
  created_at timestamptz NOT NULL,
  done_at timestamptz,
  UNIQUE (job_id, round, trust_id)
);
CREATE INDEX tasks_deliverable ON tasks (trust_id, status, created_at);
CREATE INDEX tasks_job_round ON tasks (job_id, round);

CREATE TABLE audit_log (
  seq integer PRIMARY KEY,
  at text NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  -- Canonical JSON, exactly as hashed.
  details text NOT NULL,
  trace_id text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
