-- Move up to ARGV[1] more jobs from the queue into a worker's processing list, without blocking.
-- KEYS[1] queue  KEYS[2] processing list.   Returns the jobs moved, oldest first.
local jobs = {}
for i = 1, tonumber(ARGV[1]) do
  local job = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not job then
    break
  end
  jobs[i] = job
end
return jobs
