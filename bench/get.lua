-- wrk script for GETs: the counting of bench/count.lua, nothing else.
dofile("bench/count.lua")
