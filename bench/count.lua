-- wrk helpers shared by get.lua and post.lua: number the threads and count
-- every answer that is not 2xx (wrk's own "Non-2xx" line appears only when
-- there are some, and not for 1xx/3xx); prints non2xx=N at the end.
local threads = {}
function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end
function init(args) bad = 0 end
function response(status, headers, body)
   if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
   local total = 0
   for _, t in ipairs(threads) do total = total + t:get("bad") end
   io.write(string.format("non2xx=%d\n", total))
end
