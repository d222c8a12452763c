-- Reserve units of one product and enqueue the order, atomically (design.md: reserve).
-- KEYS[1] product hash  KEYS[2] queue  KEYS[3] order marker  KEYS[4] idempotency key (optional)
-- ARGV[1] quantity  ARGV[2] job  ARGV[3] marker TTL (s)  ARGV[4] idempotency TTL (s)
-- Returns {1, available} accepted, {0, available} refused, {-1, 0} unknown product,
-- {2, "available:job"} replay of an earlier accepted order with the same idempotency key.
if KEYS[4] then
  local prior = redis.call('GET', KEYS[4])
  if prior then
    return {2, prior}
  end
end
local available = redis.call('HGET', KEYS[1], 'available')
if not available then
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
if KEYS[4] then
  redis.call('SET', KEYS[4], left .. ':' .. ARGV[2], 'EX', ARGV[4])
end
return {1, left}
