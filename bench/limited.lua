-- limited: a flash sale of one product limited to one unit per customer. BENCH_CUSTOMERS distinct
-- customers each send BENCH_ROUNDS requests: every thread takes every BENCH_THREADS-th customer and
-- goes round its customers BENCH_ROUNDS times (the response budget, BENCH_STOP_AFTER, ends it).
local C = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "counting.lua")
C.install()

local requests, next_index

function init(args)
  local product = os.getenv("BENCH_PRODUCT")
  local threads, customers = tonumber(os.getenv("BENCH_THREADS")), tonumber(os.getenv("BENCH_CUSTOMERS"))
  requests = {}
  for customer = thread_no - 1, customers - 1, threads do
    requests[#requests + 1] = wrk.format("POST", "/order", { ["Content-Type"] = "application/json" },
      '{"productId":"' .. product .. '","quantity":1,"customerId":"buyer-' .. customer .. '"}')
  end
  next_index = 0
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end
