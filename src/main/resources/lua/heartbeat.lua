-- Record that a worker is alive, on the Redis clock so that hosts' clocks never matter, and keep
-- each worker id to one process: two processes sharing an id would share a processing list and a
-- heartbeat, and the survivor would keep a dead one's jobs from ever being reaped.
-- KEYS[1] workers sorted set (id -> last heartbeat, ms)  KEYS[2] worker owners hash (id -> process token)
-- ARGV[1] worker id  ARGV[2] the calling process's token  ARGV[3] silence (ms) after which another
-- process may take the id over: a few missed beats, far less than the reapers' TTL
-- Returns {1, 0} registered (new, or again after a reap or a lost Redis), {0, 0} refreshed, or
-- {-1, ms since its last heartbeat} when another process holds the id and is alive.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local owner = redis.call('HGET', KEYS[2], ARGV[1])
if owner and owner ~= ARGV[2] then
  local last = redis.call('ZSCORE', KEYS[1], ARGV[1])
  if last and tonumber(last) > now - tonumber(ARGV[3]) then
    return {-1, now - tonumber(last)}
  end
end
local added = redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {added, 0}
