-- Bring a product's Redis keys in line with its DB row without ever racing an order in flight.
-- KEYS[1] product hash   ARGV[1] DB stock  ARGV[2] DB version
-- Missing keys are created from the row. Existing keys are adopted from the row only when nothing
-- is in flight (inflight = 0: no job of this product is queued or being written) and the row is
-- newer than anything Redis has heard of: that catches a restock whose Redis step failed, or a
-- stock change made directly in the DB. Keys with units in flight are never touched (design.md).
-- syncver records the row version whose stock `available` was set from, so that a restock script
-- arriving after this one does not add its delta a second time (restock.lua).
-- Returns 1 when created, 2 when adopted, 0 when left alone.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'available', ARGV[1], 'inflight', 0, 'dbstock', ARGV[1], 'dbver', ARGV[2],
    'syncver', ARGV[2])
  return 1
end
local state = redis.call('HMGET', KEYS[1], 'inflight', 'dbver')
if tonumber(state[1]) == 0 and tonumber(ARGV[2]) > tonumber(state[2] or '-1') then
  redis.call('HSET', KEYS[1], 'available', ARGV[1], 'dbstock', ARGV[1], 'dbver', ARGV[2], 'syncver', ARGV[2])
  return 2
end
return 0
