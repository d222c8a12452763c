-- Apply a committed DB restock to Redis: add the delta, remember the newer (stock, version).
-- KEYS[1] product hash   ARGV[1] delta  ARGV[2] DB stock after  ARGV[3] DB version after
-- Returns the available units after the restock.
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'available', ARGV[2], 'inflight', 0, 'dbstock', ARGV[2], 'dbver', ARGV[3])
  return tonumber(ARGV[2])
end
local left = redis.call('HINCRBY', KEYS[1], 'available', ARGV[1])
local known = tonumber(redis.call('HGET', KEYS[1], 'dbver') or '-1')
if tonumber(ARGV[3]) > known then
  redis.call('HSET', KEYS[1], 'dbstock', ARGV[2], 'dbver', ARGV[3])
end
return left
