-- Bring a product's Redis keys in line with its DB row without ever racing an order in flight.
-- KEYS[1] product hash
-- ARGV[1] DB stock  ARGV[2] DB version  ARGV[3] rules version  ARGV[4] limit per customer
-- ARGV[5] sale starts at (ms)  ARGV[6] sale ends at (ms)   (ARGV[4..6] '' for no such rule)
-- ARGV[7] product id  ARGV[8] units-back channel (a product that gains units is announced there)
-- A missing (or partial) hash is created from the row. An existing one adopts the row's stock only
-- when nothing is in flight (inflight = 0: no job of this product is queued or being written) and
-- the row is newer than anything Redis has heard of: that catches a stock change made directly in
-- the DB. Keys with units in flight are never touched (docs/design.md). avver records the row
-- version `available` was set from, so that a stock change applied after this adds nothing twice
-- (return_units.lua). Sale rules carry their own version and are taken whenever newer, into one
-- field, 'rules' ('limit,starts,ends', an empty part for a rule not set; absent when none is).
-- Returns 1 when created, 2 when the stock was adopted, 3 when only the rules changed, 0 when left alone.
-- one field for the three rules, absent when none is set: reserve.lua reads one field, not three
local function rules_text(limit, starts, ends)
  return limit .. ',' .. starts .. ',' .. ends
end
local function rules()
  local text = rules_text(ARGV[4], ARGV[5], ARGV[6])
  if text == ',,' then
    redis.call('HSET', KEYS[1], 'rulesver', ARGV[3])
    redis.call('HDEL', KEYS[1], 'rules')
  else
    redis.call('HSET', KEYS[1], 'rulesver', ARGV[3], 'rules', text)
  end
end
local h = redis.call('HMGET', KEYS[1], 'available', 'inflight', 'dbver', 'rulesver', 'limit', 'starts', 'ends')
if not h[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'available', ARGV[1], 'inflight', 0, 'dbstock', ARGV[1], 'dbver', ARGV[2],
    'avver', ARGV[2])
  rules()
  redis.call('PUBLISH', ARGV[8], ARGV[7])
  return 1
end
if h[5] or h[6] or h[7] then
  -- a hash from before the rules shared one field: its rules move into it as they are
  redis.call('HDEL', KEYS[1], 'limit', 'starts', 'ends')
  redis.call('HSET', KEYS[1], 'rules', rules_text(h[5] or '', h[6] or '', h[7] or ''))
end
local changed = 0
if tonumber(ARGV[3]) > tonumber(h[4] or '-1') then
  rules()
  -- a window or a limit that changed may open the sale to buyers refused before
  redis.call('PUBLISH', ARGV[8], ARGV[7])
  changed = 3
end
if tonumber(h[2]) == 0 and tonumber(ARGV[2]) > tonumber(h[3]) then
  redis.call('HSET', KEYS[1], 'available', ARGV[1], 'dbstock', ARGV[1], 'dbver', ARGV[2], 'avver', ARGV[2])
  redis.call('PUBLISH', ARGV[8], ARGV[7])
  changed = 2
end
return changed
