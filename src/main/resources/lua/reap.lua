-- Hand the jobs of workers whose heartbeat expired back to the head of the queue, atomically, so
-- two reapers can never both recover the same job.
-- KEYS[1] workers sorted set  KEYS[2] queue   ARGV[1] heartbeat TTL (ms)  ARGV[2] processing list key prefix
-- Processing list names are built here from worker ids; they share the hash tag of KEYS, so the
-- script stays on one slot.  Returns {workers reaped, jobs requeued}.
local now = redis.call('TIME')
local cutoff = now[1] * 1000 + math.floor(now[2] / 1000) - tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
local moved = 0
for _, worker in ipairs(expired) do
  -- newest first onto the consuming end, so the oldest job ends up next in line
  while redis.call('LMOVE', ARGV[2] .. worker, KEYS[2], 'LEFT', 'RIGHT') do
    moved = moved + 1
  end
  redis.call('ZREM', KEYS[1], worker)
end
return {#expired, moved}
