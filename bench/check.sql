-- Invariant check of one scenario (bench/lib.sh feeds it after loading three temp tables):
--   initial(product_id, stock, expect_sold)  what the scenario created, and the exact units it must
--                                            sell (NULL: no expectation)
--   cache(product_id, available, inflight, dbstock)  Redis product hashes after the drain
--   seen(id)                                 order ids wrk saw answered 202 (empty in plain mode)
-- and three psql variables: accepted (202 answers wrk counted), slack (requests wrk may have cut off
-- when it stopped: connections + socket errors), warmup (the warm-up product's id).
-- Prints a line "FAIL ..." per violation and "INFO ..." lines for the report. The database holds
-- only this scenario's products, so every count is exact for this run.

-- I1, I4 per product: no oversell, sold + stock == initial, Redis == DB, nothing in flight
-- units sold: CONFIRMED and PAID orders (a CANCELLED order's units went back to the stock)
WITH sold AS (
  SELECT product_id, sum(quantity) FILTER (WHERE status IN ('CONFIRMED', 'PAID')) AS units
    FROM orders GROUP BY product_id)
SELECT format('FAIL product %s: %s', i.product_id, v.problem)
  FROM initial i
  LEFT JOIN products p ON p.id = i.product_id
  LEFT JOIN sold s ON s.product_id = i.product_id
  LEFT JOIN cache c ON c.product_id = i.product_id
  CROSS JOIN LATERAL (VALUES
    (CASE WHEN p.id IS NULL THEN 'missing in the DB' END),
    (CASE WHEN p.stock < 0 THEN format('DB stock %s below 0', p.stock) END),
    (CASE WHEN coalesce(s.units, 0) + p.stock <> i.stock
          THEN format('sold %s + stock %s <> initial %s', coalesce(s.units, 0), p.stock, i.stock) END),
    (CASE WHEN coalesce(s.units, 0) <> i.expect_sold
          THEN format('sold %s units, expected exactly %s', coalesce(s.units, 0), i.expect_sold) END),
    (CASE WHEN c.available IS DISTINCT FROM p.stock
          THEN format('Redis available %s <> DB stock %s', c.available, p.stock) END),
    (CASE WHEN c.dbstock IS DISTINCT FROM p.stock
          THEN format('Redis dbstock %s <> DB stock %s', c.dbstock, p.stock) END),
    (CASE WHEN c.inflight IS DISTINCT FROM 0 THEN format('Redis inflight %s, not 0', c.inflight) END)
  ) AS v(problem)
 WHERE v.problem IS NOT NULL;

-- with exact accounting no order Redis accepted can be refused by the DB
SELECT format('FAIL %s orders REJECTED by the worker (reasons: %s)', count(*), string_agg(DISTINCT reason, '; '))
  FROM orders WHERE status = 'REJECTED' HAVING count(*) > 0;

-- per-customer limits: no customer owns more units of a limited product than its limit, in the
-- orders and in the count the workers keep
SELECT format('FAIL customer %s owns %s units of %s, limit %s', o.customer_id, sum(o.quantity), o.product_id,
              p.limit_per_customer)
  FROM orders o JOIN products p ON p.id = o.product_id
 WHERE o.status IN ('CONFIRMED', 'PAID') AND p.limit_per_customer IS NOT NULL
 GROUP BY o.product_id, o.customer_id, p.limit_per_customer
HAVING sum(o.quantity) > p.limit_per_customer OR o.customer_id IS NULL;
SELECT format('FAIL customer_units of %s/%s is %s, its orders hold %s', c.product_id, c.customer_id, c.units,
              coalesce(s.units, 0))
  FROM customer_units c
  LEFT JOIN (SELECT product_id, customer_id, sum(quantity) AS units FROM orders
              WHERE status IN ('CONFIRMED', 'PAID') AND limited GROUP BY 1, 2) s
         ON s.product_id = c.product_id AND s.customer_id = c.customer_id
 WHERE c.units <> coalesce(s.units, 0);

SELECT format('FAIL %s orders for products this run did not create', count(*))
  FROM orders o WHERE NOT EXISTS (SELECT 1 FROM initial i WHERE i.product_id = o.product_id)
HAVING count(*) > 0;

-- I2: every order wrk saw accepted is in the DB (exactly once: orders.id is the primary key)
SELECT format('FAIL wrk saw %s order ids more than once', count(*) - count(DISTINCT id))
  FROM seen HAVING count(*) <> count(DISTINCT id);
SELECT format('FAIL %s orders answered 202 are not in the DB, e.g. %s', count(*), min(s.id::text))
  FROM seen s WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = s.id) HAVING count(*) > 0;

-- The DB may hold a few more orders than wrk counted: requests in flight when wrk stopped reach
-- Bolt, but wrk never reads their answers. At most one per connection (plus socket errors).
SELECT count(*) AS measured FROM orders WHERE product_id <> :'warmup' \gset
SELECT format('FAIL %s orders in the DB for %s accepted answers: outside [0, %s] extra', :measured, :accepted, :slack)
 WHERE :measured - :accepted NOT BETWEEN 0 AND :slack;

SELECT format('INFO orders=%s warmup_orders=%s cut_off=%s products=%s units_sold=%s buyers=%s',
       :measured, (SELECT count(*) FROM orders WHERE product_id = :'warmup'), :measured - :accepted,
       (SELECT count(*) FROM initial),
       (SELECT coalesce(sum(quantity), 0) FROM orders WHERE status IN ('CONFIRMED', 'PAID')
           AND product_id <> :'warmup'),
       (SELECT count(DISTINCT customer_id) FROM orders WHERE status IN ('CONFIRMED', 'PAID')
           AND product_id <> :'warmup'));
