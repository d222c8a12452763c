-- Reserve units of products and enqueue the orders, atomically (docs/design.md: reserve). The
-- orders of one event-loop turn of an API process come in one call (coalesced); each is decided
-- in arrival order, by the same rules as if it came alone, and gets its own answer.
-- KEYS[1] queue  KEYS[2] sync marker  KEYS[3] pending orders (hash: order id -> job); then per
-- order: its product hash, its product's units counted per customer (hash), and its idempotency
-- key (scoped to the customer) when it has one
-- ARGV[1] idempotency TTL (s); then per order, five each: quantity, job, customer ('' if none),
-- 1 if it has an idempotency key else 0, order id
-- Returns one answer per order: {1, available} accepted; {0, available} refused for stock;
-- {-1} unknown product; {-2} this Redis holds no products yet (empty or wiped: the caller answers
-- 503 and resyncs); {-3, starts at (ms), now (ms)} sale not started; {-4, ends at (ms)} sale ended;
-- {-5, limit, units the customer has} over the customer's limit; {-6, limit} a limit needs a
-- customer; {2, "available:job"} replay of an earlier accepted order with the same idempotency key.
local now, jobs, accepted = nil, {}, {}
local function clock()
  -- Redis's clock decides, so every API process agrees whatever its own clock says
  if not now then
    local t = redis.call('TIME')
    now = t[1] * 1000 + math.floor(t[2] / 1000)
  end
  return now
end

local function reserve(product, counts, idempotency, quantity, job, customer, order)
  if idempotency then
    local prior = redis.call('GET', idempotency)
    if prior then
      return {2, prior}
    end
  end
  local h = redis.call('HMGET', product, 'available', 'limit', 'starts', 'ends', 'inflight')
  if not h[1] then
    -- only a synced Redis may say a product does not exist
    if redis.call('EXISTS', KEYS[2]) == 0 then
      return {-2}
    end
    return {-1}
  end
  if h[3] and clock() < tonumber(h[3]) then
    return {-3, tonumber(h[3]), now}
  end
  if h[4] and clock() >= tonumber(h[4]) then
    return {-4, tonumber(h[4])}
  end
  if h[2] then
    if customer == '' then
      return {-6, tonumber(h[2])}
    end
    local bought = tonumber(redis.call('HGET', counts, customer) or '0')
    if bought + quantity > tonumber(h[2]) then
      return {-5, tonumber(h[2]), bought}
    end
  end
  if tonumber(h[1]) < quantity then
    return {0, tonumber(h[1])}
  end
  local left = tonumber(h[1]) - quantity
  redis.call('HSET', product, 'available', left, 'inflight', tonumber(h[5]) + quantity)
  if h[2] then
    redis.call('HINCRBY', counts, customer, quantity)
    -- the job says its units count against the limit, so every later step releases exactly those
    job = string.sub(job, 1, -2) .. ',"limited":true}'
  end
  jobs[#jobs + 1] = job
  accepted[#accepted + 1] = order
  if idempotency then
    redis.call('SET', idempotency, left .. ':' .. job, 'EX', ARGV[1])
  end
  return {1, left}
end

local answers = {}
local k = 4
for a = 2, #ARGV, 5 do
  local idempotency = nil
  if ARGV[a + 3] == '1' then
    idempotency = KEYS[k + 2]
  end
  answers[#answers + 1] = reserve(KEYS[k], KEYS[k + 1], idempotency, tonumber(ARGV[a]), ARGV[a + 1], ARGV[a + 2],
    ARGV[a + 4])
  k = k + (idempotency and 3 or 2)
end
-- the accepted jobs are queued and marked pending after the last order, one command each rather
-- than two per order: the script is atomic, so no reader can tell the difference
if #jobs > 0 then
  redis.call('LPUSH', KEYS[1], unpack(jobs))
  local pending = {}
  for i = 1, #jobs do
    pending[2 * i - 1] = accepted[i]
    pending[2 * i] = jobs[i]
  end
  redis.call('HSET', KEYS[3], unpack(pending))
end
return answers
