-- Reserve units of one product and enqueue the order, atomically (docs/design.md: reserve).
-- KEYS[1] product hash  KEYS[2] queue  KEYS[3] order marker  KEYS[4] sync marker
-- KEYS[5] units counted per customer for this product (hash)
-- KEYS[6] idempotency key, scoped to the customer (optional)
-- ARGV[1] quantity  ARGV[2] job  ARGV[3] marker TTL (s)  ARGV[4] idempotency TTL (s)  ARGV[5] customer ('' if none)
-- Returns {1, available} accepted; {0, available} refused for stock; {-1} unknown product;
-- {-2} this Redis holds no products yet (empty or wiped: the caller answers 503 and resyncs);
-- {-3, starts at (ms), now (ms)} sale not started; {-4, ends at (ms)} sale ended;
-- {-5, limit, units the customer has} over the customer's limit; {-6, limit} a limit needs a customer;
-- {2, "available:job"} replay of an earlier accepted order with the same idempotency key.
if KEYS[6] then
  local prior = redis.call('GET', KEYS[6])
  if prior then
    return {2, prior}
  end
end
local h = redis.call('HMGET', KEYS[1], 'available', 'limit', 'starts', 'ends')
if not h[1] then
  -- only a synced Redis may say a product does not exist
  if redis.call('EXISTS', KEYS[4]) == 0 then
    return {-2}
  end
  return {-1}
end
if h[3] or h[4] then
  -- Redis's clock decides, so every API process agrees whatever its own clock says
  local t = redis.call('TIME')
  local now = t[1] * 1000 + math.floor(t[2] / 1000)
  if h[3] and now < tonumber(h[3]) then
    return {-3, tonumber(h[3]), now}
  end
  if h[4] and now >= tonumber(h[4]) then
    return {-4, tonumber(h[4])}
  end
end
local quantity = tonumber(ARGV[1])
local customer = ARGV[5]
local job = ARGV[2]
if h[2] then
  if customer == '' then
    return {-6, tonumber(h[2])}
  end
  local bought = tonumber(redis.call('HGET', KEYS[5], customer) or '0')
  if bought + quantity > tonumber(h[2]) then
    return {-5, tonumber(h[2]), bought}
  end
end
if tonumber(h[1]) < quantity then
  return {0, tonumber(h[1])}
end
local left = redis.call('HINCRBY', KEYS[1], 'available', -quantity)
redis.call('HINCRBY', KEYS[1], 'inflight', quantity)
if h[2] then
  redis.call('HINCRBY', KEYS[5], customer, quantity)
  -- the job says its units count against the limit, so every later step releases exactly those
  job = string.sub(job, 1, -2) .. ',"limited":true}'
end
redis.call('LPUSH', KEYS[2], job)
redis.call('SET', KEYS[3], job, 'EX', ARGV[3])
if KEYS[6] then
  redis.call('SET', KEYS[6], left .. ':' .. job, 'EX', ARGV[4])
end
return {1, left}
