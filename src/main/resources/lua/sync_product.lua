-- Bring a product's Redis keys in line with its DB row without ever racing an order in flight.
-- KEYS[1] product hash  KEYS[2] versions of the restocks already added   ARGV[1] DB stock  ARGV[2] DB version
-- A missing (or partial) hash is created from the row. An existing one adopts the row only when
-- nothing is in flight (inflight = 0: no job of this product is queued or being written) and the row
-- is newer than anything Redis has heard of: that catches a restock whose Redis step failed, or a
-- stock change made directly in the DB. Keys with units in flight are never touched (docs/design.md).
-- avver records the row version `available` was set from, so that a restock script arriving after
-- this one does not add its delta a second time (restock.lua).
-- Returns 1 when created, 2 when adopted, 0 when left alone.
local h = redis.call('HMGET', KEYS[1], 'available', 'inflight', 'dbver')
if not h[1] then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], 'available', ARGV[1], 'inflight', 0, 'dbstock', ARGV[1], 'dbver', ARGV[2],
    'avver', ARGV[2])
  return 1
end
if tonumber(h[2]) == 0 and tonumber(ARGV[2]) > tonumber(h[3]) then
  redis.call('HSET', KEYS[1], 'available', ARGV[1], 'dbstock', ARGV[1], 'dbver', ARGV[2], 'avver', ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
  return 2
end
return 0
