-- Bolt schema. Applied at every start-up (idempotent), under an advisory lock so that several
-- processes starting together do not race on CREATE.

CREATE TABLE IF NOT EXISTS products (
  id          text        PRIMARY KEY,
  name        text        NOT NULL,
  stock       integer     NOT NULL CHECK (stock >= 0),
  -- bumped by every stock change; Redis keeps the (stock, version) pair with the highest version
  version     bigint      NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS orders (
  id            uuid        PRIMARY KEY,
  product_id    text        NOT NULL REFERENCES products (id),
  quantity      integer     NOT NULL CHECK (quantity > 0),
  customer_id   text,
  status        text        NOT NULL CHECK (status IN ('CONFIRMED', 'REJECTED')),
  reason        text,
  created_at    timestamptz NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now()
);

-- No secondary index on orders: every one costs the fulfillment workers on each insert (without
-- the created_at index, steady ran 9-24 % faster in interleaved A/B runs, bench/README.md). GET
-- /admin/orders lists newest first by the primary key, since order ids are UUIDv7 (time-ordered);
-- no query looks orders up by product, and products are never deleted.
DROP INDEX IF EXISTS orders_created_at_idx;

-- One row per restock: the audit trail, and the record that makes a retried restock (same
-- Idempotency-Key) answer with the first result instead of adding the stock again. The row, the
-- stock change and the version bump commit together.
CREATE TABLE IF NOT EXISTS restocks (
  product_id     text        NOT NULL REFERENCES products (id),
  request_id     text        NOT NULL,
  quantity       integer     NOT NULL CHECK (quantity > 0),
  stock_after    integer,
  version_after  bigint,
  created_at     timestamptz NOT NULL DEFAULT now(),
  -- when Redis got it; until then the periodic sync applies it again (restock.lua adds once)
  applied_at     timestamptz,
  PRIMARY KEY (product_id, request_id)
);
CREATE INDEX IF NOT EXISTS restocks_pending_idx ON restocks (created_at) WHERE applied_at IS NULL;

-- Facts about the installation. 'redis_epoch' names the Redis that was last given every product:
-- a Redis that lacks its sync marker while this row exists has lost its data (docs/design.md).
CREATE TABLE IF NOT EXISTS bolt_meta (
  name        text        PRIMARY KEY,
  value       text        NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
