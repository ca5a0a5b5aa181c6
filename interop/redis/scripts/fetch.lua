-- Reply: {generation, value or nil, nil or the error of a dropped value key}.
local g = redis.call('GET', KEYS[1]) or '0'
local k = ARGV[1] .. g .. ':v:' .. ARGV[2]
local v = redis.pcall('GET', k)
if type(v) == 'table' then
  redis.call('DEL', k)
  return {g, false, v.err}
end
return {g, v}
