-- ARGV[3] = token, ARGV[4] = the lock's generation ("" = the current one). Releases the caller's
-- lock without storing (the computation failed, or the lock request timed out).
local g = ARGV[4]
if g == '' then g = redis.call('GET', KEYS[1]) or '0' end
local lock = ARGV[1] .. g .. ':l:' .. ARGV[2]
local holder = redis.pcall('GET', lock)
if holder == ARGV[3] or type(holder) == 'table' then return redis.call('DEL', lock) end
return 0
