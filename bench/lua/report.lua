-- Shared by the bench's wrk scripts (loaded with dofile): done() prints one line,
-- "BENCH_JSON {...}", that bench/support/wrk.ts parses. A script lists the per-thread global
-- counters it keeps in `counter_names`; they are summed over threads here.
threads = {}
counter_names = counter_names or {}

-- BENCH_CONNECTION_CLOSE=1 (figure 8): ask for "Connection: close" on every request, so a server
-- that would keep the connection open (the Go peer) closes it like this emulator does. The scripts
-- that format their own requests add CLOSE_HEADERS to them.
CLOSE_HEADERS = {}
if os.getenv("BENCH_CONNECTION_CLOSE") == "1" then
  CLOSE_HEADERS = { ["Connection"] = "close" }
  wrk.headers["Connection"] = "close"
end

function setup(thread)
  table.insert(threads, thread)
end

local function counter(name)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get(name) or 0)
  end
  return total
end

function done(summary, latency, requests)
  local counters = {}
  for _, name in ipairs(counter_names) do
    table.insert(counters, string.format('"%s":%d', name, counter(name)))
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"mean":%f,"max":%d},"counters":{%s}}\n',
    summary.requests, summary.duration,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max,
    table.concat(counters, ",")))
end
