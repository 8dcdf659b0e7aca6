-- wrk: hourly rollup over 7 days for a random tenant (FROM and TO come from the environment).
local from = os.getenv("FROM")
local to = os.getenv("TO")
request = function()
  return wrk.format("GET", "/v1/metrics?tenant_id=tenant-" .. math.random(0, 19)
    .. "&granularity=1h&group_by=none&limit=1000&from=" .. from .. "&to=" .. to)
end
