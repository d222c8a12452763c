-- Apply a committed DB restock to Redis, at most once (docs/design.md: restock).
-- KEYS[1] product hash  KEYS[2] versions of the restocks already added (sorted set)
-- ARGV[1] delta  ARGV[2] DB stock after  ARGV[3] DB version after
-- The delta is added only if `available` was last set from an older DB row (avver < version: else
-- the delta is in it already) and this restock was not added before (a retried or re-applied
-- restock runs this script again). Restocks may arrive in any order; each adds its own delta once.
-- Returns the available units after the restock.
local version = tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 'available', 'dbver', 'avver')
if not h[1] then
  -- Redis does not know the product (yet, or any more): take the row as the sync would
  redis.call('HSET', KEYS[1], 'available', ARGV[2], 'inflight', 0, 'dbstock', ARGV[2], 'dbver', version,
    'avver', version)
  redis.call('DEL', KEYS[2])
  return tonumber(ARGV[2])
end
local avver = tonumber(h[3])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', avver)
if version > avver and not redis.call('ZSCORE', KEYS[2], version) then
  redis.call('HINCRBY', KEYS[1], 'available', ARGV[1])
  redis.call('ZADD', KEYS[2], version, version)
end
if version > tonumber(h[2]) then
  redis.call('HSET', KEYS[1], 'dbstock', ARGV[2], 'dbver', version)
end
return tonumber(redis.call('HGET', KEYS[1], 'available'))
