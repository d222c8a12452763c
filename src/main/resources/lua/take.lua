-- Move up to ARGV[1] more jobs from the queue into a worker's processing list, without blocking,
-- after its blocking take moved ARGV[2] there.
-- KEYS[1] queue  KEYS[2] processing list.   Returns the jobs moved, oldest first.
-- Only if ARGV[2] is still in the worker's list: else a reaper gave the worker up between its
-- blocking take and this script (a pause), requeued that job, and perhaps forgot the worker; moving
-- more could take the same job twice into one batch, or into a list no reaper reads any more.
-- (Found by the model: model/README.md.)
if not redis.call('LPOS', KEYS[2], ARGV[2]) then
  return {}
end
local jobs = {}
for i = 1, tonumber(ARGV[1]) do
  local job = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')
  if not job then
    break
  end
  jobs[i] = job
end
return jobs
