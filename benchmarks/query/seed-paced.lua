-- wrk: the seed call for a random one of 20 tenants, each connection waiting DELAY_MS (default 40)
-- between an answer and its next call: a load below saturation, so the latencies measure the call
-- and not the queue of a 2-core machine that wrk, the service and PostgreSQL all share.
local pause = tonumber(os.getenv("DELAY_MS") or "40")

request = function()
  return wrk.format("GET", "/v1/metrics?tenant_id=tenant-" .. math.random(0, 19))
end

delay = function()
  return pause
end
