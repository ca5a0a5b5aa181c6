-- ARGV[3] = the invalidation channel: the key is published there (TieredStorage's L1s drop it),
-- whether or not a value was removed here (another process's L1 may hold one Redis lost).
local g = redis.call('GET', KEYS[1]) or '0'
local n = redis.call('DEL', ARGV[1] .. g .. ':v:' .. ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return n
