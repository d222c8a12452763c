-- Reserve units of products and enqueue the orders, atomically (docs/design.md: reserve). The
-- orders of one event-loop turn of an API process come in one call (coalesced); each is decided
-- in arrival order, by the same rules as if it came alone, and gets its own answer.
-- ARGV[2] says what each order brings, one character per order: '-' nothing more, 'c' a customer,
-- 'k' an idempotency key, 'b' both. Only what an order has is passed (steady's orders: one key and
-- three arguments each).
-- KEYS[1] queue  KEYS[2] sync marker  KEYS[3] pending orders (hash: order id -> job); then per
-- order: its product hash; with a customer, its product's units counted per customer (hash); with
-- an idempotency key, the key (scoped to the customer)
-- ARGV[1] idempotency TTL (s)  ARGV[2] the characters above; then per order: quantity, job, the
-- customer (only with one), order id
-- Returns one flat array: per order, in order, its verdict and the values that verdict carries:
-- 1, available: accepted; 0, available: refused for stock; -1: unknown product; -2: this Redis holds
-- no products yet (empty or wiped: the caller answers 503 and resyncs); -3, starts at (ms), now (ms):
-- sale not started; -4, ends at (ms): sale ended; -5, limit, units the customer has: over the
-- customer's limit; -6, limit: a limit needs a customer; 2, "available:job": replay of an earlier
-- accepted order with the same idempotency key. (Flat, not one table per order: cheaper to build
-- and to encode.)
local now
local queued, pending, n = {}, {}, 0
local answers, m = {}, 0
local KEYED, CUSTOMER, BOTH = string.byte('k'), string.byte('c'), string.byte('b')

local function answer(verdict, value)
  m = m + 1
  answers[m] = verdict
  if value ~= nil then
    m = m + 1
    answers[m] = value
  end
end

local function clock()
  -- Redis's clock decides, so every API process agrees whatever its own clock says
  if not now then
    local t = redis.call('TIME')
    now = t[1] * 1000 + math.floor(t[2] / 1000)
  end
  return now
end

local k, a = 4, 3
local flags = ARGV[2]
for i = 1, #flags do
  local flag = string.byte(flags, i)
  local product, counts, idempotency, customer = KEYS[k], nil, nil, ''
  local quantity, job = tonumber(ARGV[a]), ARGV[a + 1]
  k = k + 1
  a = a + 2
  if flag == CUSTOMER or flag == BOTH then
    counts = KEYS[k]
    customer = ARGV[a]
    k = k + 1
    a = a + 1
  end
  if flag == KEYED or flag == BOTH then
    idempotency = KEYS[k]
    k = k + 1
  end
  local order = ARGV[a]
  a = a + 1
  local prior = idempotency and redis.call('GET', idempotency)
  if prior then
    answer(2, prior)
  else
    local h = redis.call('HMGET', product, 'available', 'limit', 'starts', 'ends', 'inflight')
    local available, limit, starts, ends = h[1], h[2], h[3], h[4]
    if not available then
      -- only a synced Redis may say a product does not exist
      answer(redis.call('EXISTS', KEYS[2]) == 0 and -2 or -1)
    elseif starts and clock() < tonumber(starts) then
      answer(-3, tonumber(starts))
      m = m + 1
      answers[m] = now
    elseif ends and clock() >= tonumber(ends) then
      answer(-4, tonumber(ends))
    else
      local refused = false
      if limit then
        limit = tonumber(limit)
        if customer == '' then
          answer(-6, limit)
          refused = true
        else
          local bought = tonumber(redis.call('HGET', counts, customer) or '0')
          if bought + quantity > limit then
            answer(-5, limit)
            m = m + 1
            answers[m] = bought
            refused = true
          end
        end
      end
      if not refused then
        available = tonumber(available)
        if available < quantity then
          answer(0, available)
        else
          local left = available - quantity
          redis.call('HSET', product, 'available', left, 'inflight', tonumber(h[5]) + quantity)
          if limit then
            redis.call('HINCRBY', counts, customer, quantity)
            -- the job says its units count against the limit, so every later step releases exactly those
            job = string.sub(job, 1, -2) .. ',"limited":true}'
          end
          n = n + 1
          queued[n] = job
          pending[2 * n - 1] = order
          pending[2 * n] = job
          if idempotency then
            redis.call('SET', idempotency, left .. ':' .. job, 'EX', ARGV[1])
          end
          answer(1, left)
        end
      end
    end
  end
end
-- the accepted jobs are queued and marked pending after the last order, one command each rather
-- than two per order: the script is atomic, so no reader can tell the difference
if n > 0 then
  redis.call('LPUSH', KEYS[1], unpack(queued))
  redis.call('HSET', KEYS[3], unpack(pending))
end
return answers
