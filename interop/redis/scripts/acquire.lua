-- ARGV[3] = token, ARGV[4] = lease ms. Reply: {generation, 'hit', value} if present, else
-- {generation, 'locked' | 'wait', nil, nil or the error of a dropped key}. A lock key that is not
-- a string cannot be anyone's lock: it is replaced.
local g = redis.call('GET', KEYS[1]) or '0'
local base = ARGV[1] .. g .. ':'
local vk = base .. 'v:' .. ARGV[2]
local v = redis.pcall('GET', vk)
local dropped = false
if type(v) == 'table' then
  redis.call('DEL', vk)
  dropped = v.err
elseif v then
  return {g, 'hit', v}
end
local lk = base .. 'l:' .. ARGV[2]
if redis.call('SET', lk, ARGV[3], 'NX', 'PX', ARGV[4]) then return {g, 'locked', false, dropped} end
local t = redis.call('TYPE', lk).ok
if t ~= 'string' and t ~= 'none' then
  redis.call('SET', lk, ARGV[3], 'PX', ARGV[4])
  return {g, 'locked', false, 'WRONGTYPE the lock key held a ' .. t}
end
return {g, 'wait', false, dropped}
