-- Give Redis the units of a committed stock change (a restock, a cancellation, an expired hold),
-- at most once per DB version (docs/design.md: giving units back).
-- KEYS[1] product hash  KEYS[2] DB versions already applied (sorted set)  KEYS[3] units counted per customer
-- ARGV[1] units  ARGV[2] DB stock after  ARGV[3] DB version after  ARGV[4] customer ('' if none)
-- ARGV[5] units that customer gets back from the limit count  ARGV[6] product id  ARGV[7] units-back channel
-- The units are added to `available` only if it was last set from an older DB row (avver < version:
-- else they are in it already). The set makes a second run of the same change (a retry, the sync
-- re-applying it) change nothing. Changes may arrive in any order; each applies once.
-- A product hash Redis lost is left to the sync, which rebuilds it whole from a row that includes
-- this change. Returns the available units after, or -1 when Redis does not hold the product.
local version = tonumber(ARGV[3])
local h = redis.call('HMGET', KEYS[1], 'available', 'dbver', 'avver')
if redis.call('ZSCORE', KEYS[2], version) then
  return tonumber(h[1] or '-1')
end
redis.call('ZADD', KEYS[2], version, version)
-- bounded: a change is re-applied only while it waits in the outbox, long before 100,000 newer ones
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -100001)
if ARGV[4] ~= '' and tonumber(ARGV[5]) > 0 then
  if redis.call('HINCRBY', KEYS[3], ARGV[4], -tonumber(ARGV[5])) <= 0 then
    redis.call('HDEL', KEYS[3], ARGV[4])
  end
end
if not h[1] then
  return -1
end
if version > tonumber(h[3]) then
  h[1] = redis.call('HINCRBY', KEYS[1], 'available', ARGV[1])
  redis.call('PUBLISH', ARGV[7], ARGV[6])
end
if version > tonumber(h[2]) then
  redis.call('HSET', KEYS[1], 'dbstock', ARGV[2], 'dbver', version)
end
return tonumber(h[1])
