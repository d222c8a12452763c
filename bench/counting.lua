-- Shared by the scenario scripts (loaded with dofile): counts responses by status, remembers the
-- ids of accepted orders, and prints one machine-readable line for bench/run.sh:
--   BENCH requests=.. duration_s=.. rps=.. p50_ms=.. p90_ms=.. p99_ms=.. max_ms=.. err_connect=..
--         err_read=.. err_write=.. err_timeout=.. n:202=.. n:400:INSUFFICIENT_STOCK=.. n:200:PENDING=..
-- A count key is the status, plus the error code of an error body or the order status of a GET.
-- Parameters come from the environment (wrk only hands init() its arguments in the thread states,
-- while done() runs in the main state):
--   BENCH_PLAIN=1       define no response() at all (wrk then skips body parsing; see README)
--   BENCH_IDS_FILE      where done() writes the accepted order ids, one a line
--   BENCH_STOP_AFTER    per-thread response budget after which the thread stops (0: run for -d)
--   BENCH_DONE_DIR, BENCH_THREADS  where threads leave a marker when their budget is spent, and
--                       how many there are (see budget_spent)
local C = {}

C.plain = os.getenv("BENCH_PLAIN") == "1"
local ids_file = os.getenv("BENCH_IDS_FILE")
local stop_after = tonumber(os.getenv("BENCH_STOP_AFTER") or "0")

-- per-thread state; globals, so that done() can read them with thread:get
counts = {}
accepted = {}
local responses = 0
local threads = {}

-- runs in the main state before each thread's init(): number the threads so they spread out
function C.setup(thread)
  threads[#threads + 1] = thread
  thread:set("thread_no", #threads)
end

-- a different starting point (and random sequence) per thread
function C.start_index(n)
  math.randomseed(1000 + (thread_no or 0))
  return ((thread_no or 0) * 37) % n
end

-- Counts one response; returns the order id of a 202, if any.
function C.record(status, body)
  local key, id = tostring(status), nil
  if status == 202 then
    id = body and body:match('"orderId"%s*:%s*"([^"]+)"')
    if id then accepted[#accepted + 1] = id else key = "202:NO_ORDER_ID" end
  elseif status == 200 then
    key = key .. ":" .. ((body and body:match('"status"%s*:%s*"(%u+)"')) or "?")
  else
    local code = body and body:match('"error"%s*:%s*"([%u_]+)"')
    if code then key = key .. ":" .. code end
  end
  counts[key] = (counts[key] or 0) + 1
  responses = responses + 1
  if stop_after > 0 and responses == stop_after then
    C.budget_spent()
  end
  return id
end

-- A thread that spent its budget stops. wrk's main thread sleeps for the whole -d duration even
-- when every thread has stopped, which would wreck requests/s; so the last thread to finish (each
-- leaves a marker file in BENCH_DONE_DIR) sends wrk SIGINT, which ends the run and prints the report.
function C.budget_spent()
  local dir, threads_total = os.getenv("BENCH_DONE_DIR"), tonumber(os.getenv("BENCH_THREADS") or "0")
  if dir and threads_total > 0 then
    assert(io.open(dir .. "/thread-" .. thread_no, "w")):close()
    local finished = 0
    for i = 1, threads_total do
      local f = io.open(dir .. "/thread-" .. i, "r")
      if f then f:close(); finished = finished + 1 end
    end
    if finished == threads_total then
      local ok, ffi = pcall(require, "ffi")
      if ok then
        pcall(ffi.cdef, "int getpid(void); int kill(int pid, int sig);")
        ffi.C.kill(ffi.C.getpid(), 2)
        return
      end
    end
  end
  wrk.thread:stop()
end

function C.done(summary, latency, requests)
  local total = {}
  local out = (not C.plain and ids_file) and assert(io.open(ids_file, "w")) or nil
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts") or {}) do total[key] = (total[key] or 0) + n end
    if out then
      for _, id in ipairs(thread:get("accepted") or {}) do out:write(id, "\n") end
    end
  end
  if out then out:close() end
  if C.plain then
    -- without response() only wrk's own tally is known: non-2xx/3xx responses
    total["non2xx"] = summary.errors.status
    total["2xx"] = summary.requests - summary.errors.status
  end
  local seconds = summary.duration / 1e6
  local parts = {
    string.format("BENCH requests=%d duration_s=%.3f rps=%.1f", summary.requests, seconds,
      summary.requests / seconds),
    string.format("p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f", latency:percentile(50) / 1000,
      latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000),
    string.format("err_connect=%d err_read=%d err_write=%d err_timeout=%d", summary.errors.connect,
      summary.errors.read, summary.errors.write, summary.errors.timeout),
  }
  local keys = {}
  for key in pairs(total) do keys[#keys + 1] = key end
  table.sort(keys)
  for _, key in ipairs(keys) do parts[#parts + 1] = "n:" .. key .. "=" .. total[key] end
  io.write(table.concat(parts, " "), "\n")
end

-- Pre-formatted POST /order requests, one per product id; with BENCH_CUSTOMERS=N, N requests
-- instead, each from its own customer of this thread (c<thread>-<n>), over the products in turn.
function C.order_requests(product_ids)
  local requests = {}
  local customers = tonumber(os.getenv("BENCH_CUSTOMERS") or "0")
  for i = 1, math.max(#product_ids, customers) do
    local body = '{"productId":"' .. product_ids[(i - 1) % #product_ids + 1] .. '","quantity":1'
    if customers > 0 then body = body .. ',"customerId":"c' .. (thread_no or 0) .. '-' .. i .. '"' end
    requests[i] = wrk.format("POST", "/order", { ["Content-Type"] = "application/json" }, body .. '}')
  end
  return requests
end

-- Product ids from BENCH_PRODUCT (one id) or BENCH_PRODUCT_PREFIX + BENCH_PRODUCT_COUNT (prefix000..).
function C.product_ids()
  local single = os.getenv("BENCH_PRODUCT")
  if single and single ~= "" then return { single } end
  local prefix, n = os.getenv("BENCH_PRODUCT_PREFIX"), tonumber(os.getenv("BENCH_PRODUCT_COUNT"))
  local ids = {}
  for i = 0, n - 1 do ids[#ids + 1] = string.format("%s%03d", prefix, i) end
  return ids
end

-- wrk's hooks; a scenario installs them with C.install() and adds request()/response() as needed
function C.install()
  setup = C.setup
  done = C.done
  if not C.plain then
    response = function(status, headers, body) C.record(status, body) end
  end
end

return C
