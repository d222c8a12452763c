-- Create a product's Redis keys from the DB, only if they are missing: keys that exist may have
-- orders in flight and are exact by construction, so they are never overwritten (design.md).
-- KEYS[1] product hash   ARGV[1] DB stock  ARGV[2] DB version
-- Returns 1 when created, 0 when the keys were already there.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'available', ARGV[1], 'inflight', 0, 'dbstock', ARGV[1], 'dbver', ARGV[2])
return 1
