-- wrk: POST OTLP/JSON trace exports of SPANS GenAI spans each (an SDK's default batch), as the
-- OpenTelemetry JavaScript exporter sends them; every span has its own trace and span id.
local SPANS = 512
local counter = 0
local key = os.getenv("STREAMLENS_BENCH_KEY")
local headers = {["Content-Type"] = "application/json"}
if key ~= nil and key ~= "" then
  headers["Authorization"] = "Bearer " .. key
end
local thread_id = 0
local next_thread = 0

setup = function(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

-- 2025-11-20T10:00:30Z in nanoseconds, as a string (beyond Lua's exact integers as a number).
local START = "1763632830000000000"
local END = "1763632831200000000"

local function build_request()
  local spans = {}
  for i = 1, SPANS do
    counter = counter + 1
    spans[#spans + 1] = '{"traceId":"' .. string.format("%016x%016x", thread_id + 1, counter) .. '","spanId":"'
      .. string.format("%016x", counter) .. '","name":"chat gpt-4o","kind":3,"startTimeUnixNano":"' .. START
      .. '","endTimeUnixNano":"' .. END .. '","attributes":['
      .. '{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},'
      .. '{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},'
      .. '{"key":"gen_ai.usage.input_tokens","value":{"intValue":"100"}},'
      .. '{"key":"gen_ai.usage.output_tokens","value":{"intValue":"250"}},'
      .. '{"key":"gen_ai.response.finish_reasons","value":{"arrayValue":{"values":[{"stringValue":"stop"}]}}}],'
      .. '"status":{}}'
  end
  local body = '{"resourceSpans":[{"resource":{"attributes":['
    .. '{"key":"service.name","value":{"stringValue":"chat"}},{"key":"tenant.id","value":{"stringValue":"acme"}}]},'
    .. '"scopeSpans":[{"scope":{"name":"bench"},"spans":[' .. table.concat(spans, ",") .. ']}]}]}'
  return wrk.format("POST", "/v1/traces", headers, body)
end

-- With STREAMLENS_BENCH_FIXED_BODY=1 each thread builds one export and sends it again and again, as
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
