-- Dataset catalogue (issue 3): the last catalogue each node published, whole, as it signed it.
-- One row per trust, replaced atomically; names, kinds and levels held by at least minCount rows
-- only, never a value or a count.

CREATE TABLE catalogues (
  trust_id uuid PRIMARY KEY REFERENCES trusts (id) ON DELETE CASCADE,
  published_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  -- protocol's Catalogue (trust, publishedAt, datasets), and the node's signature over it.
  content jsonb NOT NULL,
  sig text NOT NULL
);
