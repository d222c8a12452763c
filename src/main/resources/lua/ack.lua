-- Settle a batch after its DB transaction committed (design.md: ack).
-- KEYS[1] processing list  KEYS[2] drift counter; then per job i: KEYS[1+2i] product hash, KEYS[2+2i] order marker
-- ARGV per job i, four each: job, quantity, DB stock of its product after commit, DB version of it
-- A job settles its units only if LREM took it out of this worker's list: a redelivered job, or
-- one a reaper already handed to another worker, is settled exactly once.
-- Returns {jobs settled, products whose available was corrected to the DB stock}.
local settled = 0
local touched = {}
local count = (#KEYS - 2) / 2
for i = 1, count do
  local product, marker = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
  local base = (i - 1) * 4
  local job, quantity = ARGV[base + 1], tonumber(ARGV[base + 2])
  local stock, version = ARGV[base + 3], tonumber(ARGV[base + 4])
  if redis.call('LREM', KEYS[1], 1, job) > 0 then
    redis.call('HINCRBY', product, 'inflight', -quantity)
    settled = settled + 1
  end
  local known = tonumber(redis.call('HGET', product, 'dbver') or '-1')
  if version > known then
    redis.call('HSET', product, 'dbstock', stock, 'dbver', version)
  end
  redis.call('DEL', marker)
  touched[product] = true
end
local corrected = 0
for product in pairs(touched) do
  local h = redis.call('HMGET', product, 'available', 'inflight', 'dbstock')
  -- only a quiescent product can be compared with the DB: in flight units are in neither number
  if tonumber(h[2]) == 0 and tonumber(h[1]) ~= tonumber(h[3]) then
    redis.call('HSET', product, 'available', h[3])
    redis.call('INCR', KEYS[2])
    corrected = corrected + 1
  end
end
return {settled, corrected}
