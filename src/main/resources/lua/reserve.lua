-- Reserve units of one product and enqueue the order, atomically (docs/design.md: reserve).
-- KEYS[1] product hash  KEYS[2] queue  KEYS[3] order marker  KEYS[4] sync marker
-- KEYS[5] idempotency key, scoped to the customer (optional)
-- ARGV[1] quantity  ARGV[2] job  ARGV[3] marker TTL (s)  ARGV[4] idempotency TTL (s)
-- Returns {1, available} accepted, {0, available} refused, {-1, 0} unknown product,
-- {-2, 0} this Redis holds no products yet (empty or wiped: the caller answers 503 and resyncs),
-- {2, "available:job"} replay of an earlier accepted order with the same idempotency key.
if KEYS[5] then
  local prior = redis.call('GET', KEYS[5])
  if prior then
    return {2, prior}
  end
end
local available = redis.call('HGET', KEYS[1], 'available')
if not available then
  -- only a synced Redis may say a product does not exist
  if redis.call('EXISTS', KEYS[4]) == 0 then
    return {-2, 0}
  end
  return {-1, 0}
end
local quantity = tonumber(ARGV[1])
if tonumber(available) < quantity then
  return {0, tonumber(available)}
end
local left = redis.call('HINCRBY', KEYS[1], 'available', -quantity)
redis.call('HINCRBY', KEYS[1], 'inflight', quantity)
redis.call('LPUSH', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
if KEYS[5] then
  redis.call('SET', KEYS[5], left .. ':' .. ARGV[2], 'EX', ARGV[4])
end
return {1, left}
