-- wrk: POST batches of BATCH mixed events (half requests, half responses) as NDJSON.
local BATCH = 500
local counter = 0
-- With STREAMLENS_BENCH_KEY set (API keys on), every call carries it.
local key = os.getenv("STREAMLENS_BENCH_KEY")
local headers = {["Content-Type"] = "application/x-ndjson"}
if key ~= nil and key ~= "" then
  headers["Authorization"] = "Bearer " .. key
end
local thread_id = 0
local next_thread = 0

setup = function(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

local function build_request()
  local lines = {}
  for i = 1, BATCH / 2 do
    counter = counter + 1
    local id = "batch-" .. thread_id .. "-" .. counter
    lines[#lines + 1] = '{"type":"request","request_id":"' .. id .. '","tenant_id":"acme","route":"chat",'
      .. '"model":"gpt-4o","timestamp":"2025-11-20T10:00:30.000Z","prompt_tokens":100}'
    lines[#lines + 1] = '{"type":"response","request_id":"' .. id .. '","timestamp":"2025-11-20T10:00:31.200Z",'
      .. '"latency_ms":1200,"completion_tokens":250,"finish_reason":"stop","error":null}'
  end
  return wrk.format("POST", "/v1/llm/events", headers, table.concat(lines, "\n"))
end

-- With STREAMLENS_BENCH_FIXED_BODY=1 each thread builds one batch and sends it again and again, as
-- otlp-protobuf.lua does (the ingest service does not deduplicate, so the server's work is the
-- same): the client's string building then takes no CPU from the service on a 2-core machine.
local fixed = os.getenv("STREAMLENS_BENCH_FIXED_BODY") == "1"
local built = nil
request = function()
  if not fixed then
    return build_request()
  end
  if built == nil then
    built = build_request()
  end
  return built
end
