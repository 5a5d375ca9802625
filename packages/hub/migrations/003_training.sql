-- Training jobs (issue 6): what a job reports while it runs, and the JSON documents it keeps
-- (the global model after each round, the best and the final one). Both are written in the
-- transaction of the decision that produced them, with the job's state, so a hub restarted at any
-- point holds exactly the rounds that committed.

-- HubDecision.progress of the job's last decision that had one; shown to clients (JobView).
ALTER TABLE jobs ADD COLUMN progress jsonb;

CREATE TABLE job_artifacts (
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  -- [a-z0-9-]+ segments joined by '/', e.g. 'model/round-3'; a later decision may rewrite one.
  name text NOT NULL,
  body jsonb NOT NULL,
  -- Size of the body as the hub serialised it (UTF-8 JSON), checked against maxArtifactBytes.
  bytes integer NOT NULL CHECK (bytes >= 0),
  created_at timestamptz NOT NULL,
  PRIMARY KEY (job_id, name)
);
