-- Reserve units of products and enqueue the orders, atomically (docs/design.md: reserve). The
-- orders of one event-loop turn of an API process come in one call (coalesced); each is decided
-- in arrival order, by the same rules as if it came alone, and gets its own answer.
-- ARGV[2] says what each order brings, one character per order: '-' nothing more, 'c' a customer,
-- 'k' an idempotency key, 'b' both. Only what an order has is passed (steady's orders: one key and
-- three arguments each).
-- KEYS[1] queue  KEYS[2] sync marker  KEYS[3] pending orders (hash: record -> the jobs in it, one
-- per line); then per order: its product hash; with a customer, its product's units counted per
-- customer (hash); with an idempotency key, the key (scoped to the customer)
-- ARGV[1] idempotency TTL (s)  ARGV[2] the characters above; then per order: quantity, job, the
-- customer (only with one), its pending record (OrderIds.pendingRecord: the orders of one batch
-- share one)
-- Returns one flat array of three values per order, in order: its verdict and two values (0 when
-- unused). 1, available: accepted; 0, available: refused for stock; -1: unknown product; -2: this
-- Redis holds no products yet (empty or wiped: the caller answers 503 and resyncs); -3, starts at
-- (ms), now (ms): sale not started; -4, ends at (ms): sale ended; -5, limit, units the customer has:
-- over the customer's limit; -6, limit: a limit needs a customer; 2, "available:job": replay of an
-- earlier accepted order with the same idempotency key. (Flat, not a table per order: cheaper to
-- build and to encode.)
local now
local call = redis.call
local queued, n = {}, 0
-- pending record -> its accepted jobs, and the records in order of first use
local records, named = {}, {}
local KEYED, CUSTOMER, BOTH = string.byte('k'), string.byte('c'), string.byte('b')

local function clock()
  -- Redis's clock decides, so every API process agrees whatever its own clock says
  if not now then
    local t = call('TIME')
    now = t[1] * 1000 + math.floor(t[2] / 1000)
  end
  return now
end

-- a product's sale rules: one field, 'limit,starts,ends' with an empty part for a rule not set
-- (sync_product.lua), absent when none is: one field costs an order less than three
local function rules(text)
  local limit, starts, ends = string.match(text, '^(%-?%d*),(%-?%d*),(%-?%d*)$')
  return tonumber(limit), tonumber(starts), tonumber(ends)
end

-- one order's verdict and its two values
local function reserve(product, counts, idempotency, quantity, job, customer, record)
  if idempotency then
    local prior = call('GET', idempotency)
    if prior then
      return 2, prior, 0
    end
  end
  local h = call('HMGET', product, 'available', 'inflight', 'rules')
  if not h[1] then
    -- only a synced Redis may say a product does not exist
    return call('EXISTS', KEYS[2]) == 0 and -2 or -1, 0, 0
  end
  local limit, starts, ends
  if h[3] then
    limit, starts, ends = rules(h[3])
  end
  if starts and clock() < starts then
    return -3, starts, now
  end
  if ends and clock() >= ends then
    return -4, ends, 0
  end
  if limit then
    if customer == '' then
      return -6, limit, 0
    end
    local bought = tonumber(call('HGET', counts, customer) or '0')
    if bought + quantity > limit then
      return -5, limit, bought
    end
  end
  local available = tonumber(h[1])
  if available < quantity then
    return 0, available, 0
  end
  local left = available - quantity
  call('HSET', product, 'available', left, 'inflight', tonumber(h[2]) + quantity)
  if limit then
    call('HINCRBY', counts, customer, quantity)
    -- the job says its units count against the limit, so every later step releases exactly those
    job = string.sub(job, 1, -2) .. ',"limited":true}'
  end
  n = n + 1
  queued[n] = job
  local jobs = records[record]
  if not jobs then
    jobs = {}
    records[record] = jobs
    named[#named + 1] = record
  end
  jobs[#jobs + 1] = job
  if idempotency then
    call('SET', idempotency, left .. ':' .. job, 'EX', ARGV[1])
  end
  return 1, left, 0
end

local answers, m = {}, 0
local k, a = 4, 3
local shapes = ARGV[2]
for i = 1, #shapes do
  local shape = string.byte(shapes, i)
  local product, counts, idempotency, customer = KEYS[k], nil, nil, ''
  local quantity, job = tonumber(ARGV[a]), ARGV[a + 1]
  k, a = k + 1, a + 2
  if shape == CUSTOMER or shape == BOTH then
    counts, customer = KEYS[k], ARGV[a]
    k, a = k + 1, a + 1
  end
  if shape == KEYED or shape == BOTH then
    idempotency = KEYS[k]
    k = k + 1
  end
  local verdict, first, second = reserve(product, counts, idempotency, quantity, job, customer, ARGV[a])
  a = a + 1
  answers[m + 1], answers[m + 2], answers[m + 3] = verdict, first, second
  m = m + 3
end
-- the accepted jobs are queued and recorded as pending after the last order: one LPUSH, and one
-- pending record per batch rather than a hash field per order (each field is an allocation and a
-- slot in a table that grows with the backlog). The script is atomic, so no reader can tell the
-- difference. A record that exists already (another process's batch drew the same one: OrderIds)
-- keeps its jobs and gains these.
if n > 0 then
  call('LPUSH', KEYS[1], unpack(queued))
  local prior = call('HMGET', KEYS[3], unpack(named))
  local writes = {}
  for i, record in ipairs(named) do
    local jobs = table.concat(records[record], '\n')
    writes[2 * i - 1] = record
    writes[2 * i] = prior[i] and (prior[i] .. '\n' .. jobs) or jobs
  end
  call('HSET', KEYS[3], unpack(writes))
end
return answers
