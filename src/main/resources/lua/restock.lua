-- Apply a committed DB restock to Redis: add the delta, remember the newer (stock, version).
-- KEYS[1] product hash   ARGV[1] delta  ARGV[2] DB stock after  ARGV[3] DB version after
-- If a sync already set `available` from a row that includes this restock (syncver >= its
-- version), the delta is in it already and is not added again.
-- Returns the available units after the restock.
local version = tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'available', ARGV[2], 'inflight', 0, 'dbstock', ARGV[2], 'dbver', version,
    'syncver', version)
  return tonumber(ARGV[2])
end
local state = redis.call('HMGET', KEYS[1], 'dbver', 'syncver')
if version > tonumber(state[2] or '-1') then
  redis.call('HINCRBY', KEYS[1], 'available', ARGV[1])
end
if version > tonumber(state[1] or '-1') then
  redis.call('HSET', KEYS[1], 'dbstock', ARGV[2], 'dbver', version)
end
return tonumber(redis.call('HGET', KEYS[1], 'available'))
