-- Give up on a job: move it to the dead-letter list, release its reservation, mark the order REJECTED.
-- KEYS[1] processing list  KEYS[2] dead-letter list  KEYS[3] product hash  KEYS[4] the order's REJECTED
-- marker  KEYS[5] units counted per customer for the product  KEYS[6] pending orders (hash)
-- (KEYS[3..6] are absent when the job could not even be parsed)
-- ARGV[1] job  ARGV[2] dead-letter entry  ARGV[3] quantity  ARGV[4] rejected marker  ARGV[5] marker TTL (s)
-- ARGV[6] customer ('' unless the job's units counted against the customer's limit)
-- ARGV[7] product id  ARGV[8] units-back channel  ARGV[9] the order's pending record
-- (OrderIds.pendingRecord: its batch's jobs, one per line; the job leaves it, and an empty one goes,
-- as in ack.lua)
-- Returns 1 if this call moved the job, 0 if it was no longer in the list (already handled).
if redis.call('LREM', KEYS[1], 1, ARGV[1]) == 0 then
  return 0
end
redis.call('LPUSH', KEYS[2], ARGV[2])
if KEYS[3] then
  local quantity = tonumber(ARGV[3])
  -- a product this Redis lost gets no partial hash: the sync rebuilds it whole from the DB
  if redis.call('HEXISTS', KEYS[3], 'available') == 1 then
    redis.call('HINCRBY', KEYS[3], 'available', quantity)
    redis.call('HINCRBY', KEYS[3], 'inflight', -quantity)
    redis.call('PUBLISH', ARGV[8], ARGV[7])
  end
  if ARGV[6] ~= '' and redis.call('HINCRBY', KEYS[5], ARGV[6], -quantity) <= 0 then
    redis.call('HDEL', KEYS[5], ARGV[6])
  end
  local text = redis.call('HGET', KEYS[6], ARGV[9])
  if text then
    local kept, n = {}, 0
    for job in string.gmatch(text, '[^\n]+') do
      if job ~= ARGV[1] then
        n = n + 1
        kept[n] = job
      end
    end
    if n == 0 then
      redis.call('HDEL', KEYS[6], ARGV[9])
    else
      redis.call('HSET', KEYS[6], ARGV[9], table.concat(kept, '\n'))
    end
  end
  redis.call('SET', KEYS[4], ARGV[4], 'EX', ARGV[5])
end
return 1
