-- Record that a worker is alive, on the Redis clock so that hosts' clocks never matter.
-- KEYS[1] workers sorted set   ARGV[1] worker id
local now = redis.call('TIME')
redis.call('ZADD', KEYS[1], now[1] * 1000 + math.floor(now[2] / 1000), ARGV[1])
return 1
