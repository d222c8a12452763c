-- Hand the jobs of workers whose heartbeat expired back to the head of the queue, atomically, so
-- two reapers can never both recover the same job.
-- KEYS[1] workers sorted set  KEYS[2] worker owners hash  KEYS[3] queue  KEYS[4 ..] processing lists
-- ARGV[1] heartbeat TTL (ms)  ARGV[2] forget after (ms)  ARGV[3 ..] the candidate worker ids, one per list
-- Candidates are re-checked here: one that sent a heartbeat since it was listed is left alone. An
-- expired worker stays listed until its list has stayed empty for `forget after`: a blocking take
-- it sent before it stopped may still move a job into its list, and that job must be found too.
-- Returns {workers whose jobs were requeued, jobs requeued}.
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local workers, moved = 0, 0
for i = 3, #ARGV do
  local worker, list = ARGV[i], KEYS[i + 1]
  local last = redis.call('ZSCORE', KEYS[1], worker)
  if last and tonumber(last) <= now - tonumber(ARGV[1]) then
    local before = moved
    -- newest first onto the consuming end, so the oldest job ends up next in line
    while redis.call('LMOVE', list, KEYS[3], 'LEFT', 'RIGHT') do
      moved = moved + 1
    end
    if moved > before then
      workers = workers + 1
    elseif tonumber(last) <= now - tonumber(ARGV[2]) then
      redis.call('ZREM', KEYS[1], worker)
      redis.call('HDEL', KEYS[2], worker)
    end
  end
end
return {workers, moved}
