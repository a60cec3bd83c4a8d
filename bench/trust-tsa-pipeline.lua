-- wrk script for bench/trust-tsa.ts: POSTs the DER time-stamp query in QUERY_FILE, `depth`
-- requests per write (HTTP/1.1 pipelining on keep-alive connections), and counts replies whose
-- TimeStampResp status is granted (SEQUENCE { SEQUENCE { INTEGER 0 } ...).
--   wrk -t1 -c32 -d8s -s bench/trust-tsa-pipeline.lua URL -- QUERY_FILE DEPTH
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  local query = f:read("*a")
  f:close()
  local depth = tonumber(args[2] or "1")
  local one = wrk.format("POST", nil, { ["Content-Type"] = "application/timestamp-query" }, query)
  pipelined = string.rep(one, depth)
  granted = 0
  other = 0
end

function request()
  return pipelined
end

function response(status, headers, body)
  -- 30 8x .. then 30 03 02 01 00: the PKIStatusInfo of a granted reply within the first 12 octets
  if status == 200 and body:sub(1, 12):find("\48\3\2\1\0", 1, true) then
    granted = granted + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local g, o = 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("granted")
    o = o + t:get("other")
  end
  io.write(string.format("RESULT {\"granted\":%d,\"other\":%d,\"requests\":%d,\"seconds\":%f,\"errors\":%d,\"p50\":%f,\"p99\":%f}\n",
    g, o, summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
