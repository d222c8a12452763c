-- status: buyers place orders and poll them. Of every BENCH_POLLS+1 requests one is a POST /order
-- (round-robin over the products) and the others GET /order/<id> of a random order among the last
-- 1,000 this thread placed (PENDING until a worker writes it, CONFIRMED after).
local C = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "counting.lua")
C.install()

local polls = tonumber(os.getenv("BENCH_POLLS") or "3")
local recent_size = 1000
local requests, next_index
local recent, recent_count, recent_next = {}, 0, 0
local sent = 0

function init(args)
  requests = C.order_requests(C.product_ids())
  next_index = C.start_index(#requests)
end

function request()
  sent = sent + 1
  if recent_count > 0 and sent % (polls + 1) ~= 0 then
    return wrk.format("GET", "/order/" .. recent[math.random(recent_count)])
  end
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function response(status, headers, body)
  local id = C.record(status, body)
  if id then
    recent_next = recent_next % recent_size + 1
    recent[recent_next] = id
    if recent_count < recent_size then recent_count = recent_count + 1 end
  end
end
