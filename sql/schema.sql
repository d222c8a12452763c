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

-- Sale rules (docs/design.md: sale rules). Null means no such rule. rules_version is bumped by every
-- change of them, so Redis keeps the newest whatever order the updates arrive in.
ALTER TABLE products ADD COLUMN IF NOT EXISTS limit_per_customer integer CHECK (limit_per_customer >= 1);
ALTER TABLE products ADD COLUMN IF NOT EXISTS sale_starts_at timestamptz;
ALTER TABLE products ADD COLUMN IF NOT EXISTS sale_ends_at timestamptz;
ALTER TABLE products ADD COLUMN IF NOT EXISTS hold_seconds integer CHECK (hold_seconds BETWEEN 1 AND 604800);
ALTER TABLE products ADD COLUMN IF NOT EXISTS rules_version bigint NOT NULL DEFAULT 0;
-- The Redis shard of the product (docs/design.md: shards): chosen once at creation, never changed,
-- so that adding shards moves no live product. Rows from before shards existed are in shard 0.
ALTER TABLE products ADD COLUMN IF NOT EXISTS shard integer NOT NULL DEFAULT 0 CHECK (shard >= 0);
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_constraint WHERE conname = 'products_sale_window_check') THEN
    ALTER TABLE products ADD CONSTRAINT products_sale_window_check CHECK (sale_ends_at > sale_starts_at);
  END IF;
END
$$;

CREATE TABLE IF NOT EXISTS orders (
  id            uuid        PRIMARY KEY,
  product_id    text        NOT NULL REFERENCES products (id),
  quantity      integer     NOT NULL CHECK (quantity > 0),
  customer_id   text,
  status        text        NOT NULL CONSTRAINT orders_status_check
                            CHECK (status IN ('CONFIRMED', 'REJECTED', 'PAID', 'CANCELLED')),
  reason        text,
  created_at    timestamptz NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now()
);
-- whether its units count against the customer's limit (customer_units); decided by the reserve script
ALTER TABLE orders ADD COLUMN IF NOT EXISTS limited boolean NOT NULL DEFAULT false;
-- a CONFIRMED order of a product with a payment hold is cancelled if not PAID by then
ALTER TABLE orders ADD COLUMN IF NOT EXISTS pay_by timestamptz;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS paid_at timestamptz;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS cancelled_at timestamptz;
DO $$
BEGIN
  -- the first release allowed CONFIRMED and REJECTED only; NOT VALID: its rows need no scan
  IF EXISTS (SELECT FROM pg_constraint WHERE conname = 'orders_status_check'
             AND pg_get_constraintdef(oid) NOT LIKE '%CANCELLED%') THEN
    ALTER TABLE orders DROP CONSTRAINT orders_status_check;
    ALTER TABLE orders ADD CONSTRAINT orders_status_check
      CHECK (status IN ('CONFIRMED', 'REJECTED', 'PAID', 'CANCELLED')) NOT VALID;
  END IF;
END
$$;
-- The expiry sweep's index: only unpaid orders of held products are in it, so the sales without a
-- hold pay nothing for it.
CREATE INDEX IF NOT EXISTS orders_unpaid_idx ON orders (pay_by) WHERE status = 'CONFIRMED' AND pay_by IS NOT NULL;

-- Units of each customer counted against a product's limit: CONFIRMED and PAID orders that the
-- reserve script counted. The batch transaction checks and adds under the product's row lock.
CREATE TABLE IF NOT EXISTS customer_units (
  product_id   text    NOT NULL REFERENCES products (id),
  customer_id  text    NOT NULL,
  units        integer NOT NULL CHECK (units >= 0),
  PRIMARY KEY (product_id, customer_id)
);

-- No secondary index on orders: every one costs the fulfillment workers on each insert (without
-- the created_at index, steady ran 9-24 % faster in interleaved A/B runs, bench/README.md). GET
-- /admin/orders lists newest first by the primary key, since order ids begin with their creation time (time-ordered UUIDs);
-- no query looks orders up by product, and products are never deleted.
DROP INDEX IF EXISTS orders_created_at_idx;

-- Every stock change that gives units back and that Redis must learn: restocks, cancellations and
-- expired holds. The audit trail, and the outbox of their Redis step: a row commits with its stock
-- change and version bump, and its Redis step runs until it is applied (return_units.lua applies
-- each version once). request_id is a restock's Idempotency-Key (a retry answers with the first
-- result), or 'cancel:<order id>'.
CREATE TABLE IF NOT EXISTS stock_changes (
  product_id     text        NOT NULL REFERENCES products (id),
  request_id     text        NOT NULL,
  kind           text        NOT NULL CHECK (kind IN ('RESTOCK', 'CANCEL', 'HOLD_EXPIRED')),
  quantity       integer     NOT NULL CHECK (quantity > 0),
  -- the customer whose counted units (toward the product's limit) go back with the stock
  customer_id    text,
  customer_units integer     NOT NULL DEFAULT 0,
  stock_after    integer,
  version_after  bigint,
  created_at     timestamptz NOT NULL DEFAULT now(),
  applied_at     timestamptz,
  PRIMARY KEY (product_id, request_id)
);
CREATE INDEX IF NOT EXISTS stock_changes_pending_idx ON stock_changes (created_at) WHERE applied_at IS NULL;

-- Facts about the installation. 'redis_epoch' names the Redis that was last given every product:
-- a Redis that lacks its sync marker while this row exists has lost its data (docs/design.md);
-- 'redis_shards' is its shard count then, so that a shard added since is not taken for a lost one.
CREATE TABLE IF NOT EXISTS bolt_meta (
  name        text        PRIMARY KEY,
  value       text        NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
