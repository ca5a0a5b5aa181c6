-- ARGV[3] = token, ARGV[4] = the lock's generation, ARGV[5] = ms. Extends the caller's lock; 0 if
-- it is no longer the caller's. KEYS[1] (the generation key, unused) routes it to the storage's slot.
local lock = ARGV[1] .. ARGV[4] .. ':l:' .. ARGV[2]
if redis.pcall('GET', lock) == ARGV[3] then return redis.call('PEXPIRE', lock, ARGV[5]) end
return 0
