-- wrk: POST one request event per call, each with its own request_id.
local counter = 0
-- With STREAMLENS_BENCH_KEY set (API keys on), every call carries it.
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

request = function()
  counter = counter + 1
  local id = "bench-" .. thread_id .. "-" .. counter
  local body = '{"request_id":"' .. id .. '","tenant_id":"acme","route":"chat","model":"gpt-4o",'
    .. '"timestamp":"2025-11-20T10:00:30.000Z","prompt_tokens":100,"metadata":{"experiment":"prompt_v3"}}'
  return wrk.format("POST", "/v1/llm/request", headers, body)
end
