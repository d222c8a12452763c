-- Settle a batch after its DB transaction committed (docs/design.md: ack).
-- KEYS[1] processing list  KEYS[2] drift counter  KEYS[3] pending orders (hash)
-- KEYS[4 .. 3+2P] per product j: its hash (KEYS[2+2j]) and its units counted per customer (KEYS[3+2j])
-- ARGV[1] P (products)  ARGV[2] units-back channel; then per product j: its id, DB stock and DB version
-- after the commit (ARGV[3j], ARGV[3j+1], ARGV[3j+2]);
-- then per job, six each: job, index of its product (1..P), quantity, outcome, customer, its pending
-- record (OrderIds.pendingRecord)
-- Outcome: S sold (the DB took the units), R refused by the DB for stock (the DB never had them),
-- L refused by the DB for the customer's limit (the DB has them: they go back to `available`).
-- Customer: '' unless the job's units counted against the customer's limit; a refused one's go back.
-- A job settles only if LREM took it out of this worker's list: a redelivered job, or one a reaper
-- already handed to another worker, is settled exactly once.
-- Returns {jobs settled, products whose available was corrected to the DB stock}.
-- The settled jobs leave their pending records (reserve.lua: one per batch, its jobs one per line)
-- whether or not LREM found them here: the order is written either way. A record left empty goes.
-- (dead_letter.lua does the same for the one job it moves.)
local function unpend(records)
  for record, jobs in pairs(records) do
    local text = redis.call('HGET', KEYS[3], record)
    if text then
      local kept, n = {}, 0
      for job in string.gmatch(text, '[^\n]+') do
        if not jobs[job] then
          n = n + 1
          kept[n] = job
        end
      end
      if n == 0 then
        redis.call('HDEL', KEYS[3], record)
      else
        redis.call('HSET', KEYS[3], record, table.concat(kept, '\n'))
      end
    end
  end
end

local products = tonumber(ARGV[1])
local settled, returned = {}, {}
for j = 1, products do
  settled[j], returned[j] = 0, 0
end
local first = 3 + 3 * products
local jobs = 0
local records = {}
for i = 0, (#ARGV - first + 1) / 6 - 1 do
  local base = first + 6 * i
  -- the oldest jobs sit at the tail, so scanning from there finds each at once
  if redis.call('LREM', KEYS[1], -1, ARGV[base]) > 0 then
    local product, quantity, outcome = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), ARGV[base + 3]
    settled[product] = settled[product] + quantity
    if outcome == 'L' then
      returned[product] = returned[product] + quantity
    end
    if outcome ~= 'S' and ARGV[base + 4] ~= '' then
      local counts = KEYS[3 + 2 * product]
      if redis.call('HINCRBY', counts, ARGV[base + 4], -quantity) <= 0 then
        redis.call('HDEL', counts, ARGV[base + 4])
      end
    end
    jobs = jobs + 1
  end
  local record = records[ARGV[base + 5]]
  if not record then
    record = {}
    records[ARGV[base + 5]] = record
  end
  record[ARGV[base]] = true
end
unpend(records)
local corrected = 0
for j = 1, products do
  local key = KEYS[2 + 2 * j]
  local h = redis.call('HMGET', key, 'available', 'inflight', 'dbstock', 'dbver', 'avver')
  -- a product this Redis lost is rebuilt whole by the sync; fields written here would make a
  -- partial hash that looks like a product
  if h[1] then
    local available, inflight = tonumber(h[1]) + returned[j], tonumber(h[2]) - settled[j]
    if settled[j] > 0 then
      redis.call('HINCRBY', key, 'inflight', -settled[j])
    end
    if returned[j] > 0 then
      redis.call('HINCRBY', key, 'available', returned[j])
    end
    local stock, version = tonumber(h[3]), tonumber(h[4])
    if tonumber(ARGV[3 * j + 2]) > version then
      stock, version = tonumber(ARGV[3 * j + 1]), tonumber(ARGV[3 * j + 2])
      redis.call('HSET', key, 'dbstock', stock, 'dbver', version)
    end
    -- quiescent: nothing of this product is reserved and unwritten, so available must be the DB
    -- stock; recording the version it came from keeps a late stock change from adding again
    if inflight == 0 and (available ~= stock or tonumber(h[5]) ~= version) then
      redis.call('HSET', key, 'available', stock, 'avver', version)
      if available ~= stock then
        redis.call('INCR', KEYS[2])
        corrected = corrected + 1
      end
    end
    if returned[j] > 0 or (inflight == 0 and stock > available) then
      redis.call('PUBLISH', ARGV[2], ARGV[3 * j])
    end
  end
end
return {jobs, corrected}
