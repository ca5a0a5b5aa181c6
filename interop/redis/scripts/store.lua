-- ARGV[3] = value, ARGV[4] = ttl ms or "", ARGV[5] = the generation the caller read ("" = any),
-- ARGV[6] = lock token or "". Stores only into the generation the value was computed for, and
-- releases the caller's lock (compare-and-delete) in the same step. SET replaces a key of any type;
-- one that was not a string is named in the reply (a lookup by MGET reads it as missing, so this
-- is where its fault is seen). Reply: {1 stored | 0 not (another generation), nil or the error}.
local g = redis.call('GET', KEYS[1]) or '0'
if ARGV[6] ~= '' then
  local lock = ARGV[1] .. (ARGV[5] ~= '' and ARGV[5] or g) .. ':l:' .. ARGV[2]
  local holder = redis.pcall('GET', lock)
  if holder == ARGV[6] or type(holder) == 'table' then redis.call('DEL', lock) end
end
if ARGV[5] ~= '' and ARGV[5] ~= g then return {0} end
local k = ARGV[1] .. g .. ':v:' .. ARGV[2]
local t = redis.call('TYPE', k).ok
if ARGV[4] == '' then redis.call('SET', k, ARGV[3])
else redis.call('SET', k, ARGV[3], 'PX', ARGV[4]) end
if t ~= 'string' and t ~= 'none' then return {1, 'WRONGTYPE the value key held a ' .. t} end
return {1}
