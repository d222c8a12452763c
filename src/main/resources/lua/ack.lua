-- Settle a batch after its DB transaction committed (docs/design.md: ack).
-- KEYS[1] processing list  KEYS[2] drift counter  KEYS[3 .. 2+P] product hashes  then one order marker per job
-- ARGV[1] P (products); then per product j: DB stock and DB version after the commit (ARGV[2j], ARGV[2j+1]);
-- then per job, three each: job, index of its product (1..P), quantity
-- A job settles its units only if LREM took it out of this worker's list: a redelivered job, or
-- one a reaper already handed to another worker, is settled exactly once.
-- Returns {jobs settled, products whose available was corrected to the DB stock}.
local products = tonumber(ARGV[1])
local units = {}
for j = 1, products do
  units[j] = 0
end
local first = 2 + 2 * products
local settled = 0
for i = 0, (#ARGV - first + 1) / 3 - 1 do
  local base = first + 3 * i
  -- the oldest jobs sit at the tail, so scanning from there finds each at once
  if redis.call('LREM', KEYS[1], -1, ARGV[base]) > 0 then
    local product = tonumber(ARGV[base + 1])
    units[product] = units[product] + tonumber(ARGV[base + 2])
    settled = settled + 1
  end
  redis.call('DEL', KEYS[3 + products + i])
end
local corrected = 0
for j = 1, products do
  local key = KEYS[2 + j]
  local h = redis.call('HMGET', key, 'available', 'inflight', 'dbstock', 'dbver', 'avver')
  -- a product this Redis lost is rebuilt whole by the sync; fields written here would make a
  -- partial hash that looks like a product
  if h[1] then
    local inflight = tonumber(h[2]) - units[j]
    if units[j] > 0 then
      redis.call('HINCRBY', key, 'inflight', -units[j])
    end
    local stock, version = tonumber(h[3]), tonumber(h[4])
    if tonumber(ARGV[2 * j + 1]) > version then
      stock, version = tonumber(ARGV[2 * j]), tonumber(ARGV[2 * j + 1])
      redis.call('HSET', key, 'dbstock', stock, 'dbver', version)
    end
    -- quiescent: nothing of this product is reserved and unwritten, so available must be the DB
    -- stock; recording the version it came from keeps a late restock script from adding again
    if inflight == 0 and (tonumber(h[1]) ~= stock or tonumber(h[5]) ~= version) then
      redis.call('HSET', key, 'available', stock, 'avver', version)
      if tonumber(h[1]) ~= stock then
        redis.call('INCR', KEYS[2])
        corrected = corrected + 1
      end
    end
  end
end
return {settled, corrected}
