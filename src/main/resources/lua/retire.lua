-- A worker stopping cleanly leaves the workers set, if its processing list is empty (else a reaper
-- must still find it) and if the id is still its own.
-- KEYS[1] workers sorted set  KEYS[2] worker owners hash  KEYS[3] its processing list
-- ARGV[1] worker id  ARGV[2] the calling process's token.   Returns 1 when it left, else 0.
if redis.call('LLEN', KEYS[3]) > 0 or redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
