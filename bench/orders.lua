-- steady, flash, warm-up: POST /order of quantity 1, round-robin over the products named by the
-- environment (see counting.lua); every thread starts at a different product.
local C = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "counting.lua")
C.install()

local requests, next_index

function init(args)
  requests = C.order_requests(C.product_ids())
  next_index = C.start_index(#requests)
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end
