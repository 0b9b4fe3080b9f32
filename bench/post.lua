-- wrk script: POST the body in REFGW_WRK_BODY with a unique
-- Idempotency-Key per request; counts non-2xx as bench/count.lua does.
dofile("bench/count.lua")
local counter = 0
local count_init = init
function init(args)
   count_init(args)
   wrk.method = "POST"
   wrk.body = os.getenv("REFGW_WRK_BODY")
   wrk.headers["Content-Type"] = "application/json"
end
function request()
   counter = counter + 1
   wrk.headers["Idempotency-Key"] = string.format("wrk-%d-%d-%d", os.time(), id, counter)
   return wrk.format()
end
