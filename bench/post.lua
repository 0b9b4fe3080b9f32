-- wrk script: POST the body in REFGW_WRK_BODY with a unique
-- Idempotency-Key per request, and count non-2xx answers (wrk's own
-- "Non-2xx" line counts only >= 400... this counts everything not 2xx).
local counter, thread_id = 0, 0
local threads = {}
function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end
function init(args)
   wrk.method = "POST"
   wrk.body = os.getenv("REFGW_WRK_BODY")
   wrk.headers["Content-Type"] = "application/json"
   bad = 0
end
function request()
   counter = counter + 1
   wrk.headers["Idempotency-Key"] = string.format("wrk-%d-%d-%d", os.time(), id, counter)
   return wrk.format()
end
function response(status, headers, body)
   if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
   local total = 0
   for _, t in ipairs(threads) do total = total + t:get("bad") end
   io.write(string.format("non2xx=%d\n", total))
end
