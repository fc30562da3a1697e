-- Count one customer message for its team's day, as it arrives (summaries never scan customers).
-- One command, one slot: every key carries the team's hash tag, so this runs on Redis Cluster too.
-- KEYS: 1 day counters (hash), 2 day customers → labels (hash), 3 day follow-ups (hash),
--       4 day's new customers (set), 5 team directory (hash), 6 last activity (zset), 7 days (zset)
-- ARGV: 1 customer id, 2 display name, 3 now (epoch s), 4 day (YYYYMMDD), 5 day start (epoch s),
--       6 "1" if the customer was first seen today, 7 labels line, 8 ttl of day keys (s),
--       9 follow-ups "name:1 name:0 …", then counters to increment by one
local stats, custs, follow, new = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local cust, now, ttl = ARGV[1], ARGV[3], tonumber(ARGV[8])
for i = 10, #ARGV do redis.call('HINCRBY', stats, ARGV[i], 1) end
redis.call('HSET', custs, cust, ARGV[7])
if ARGV[6] == '1' then redis.call('SADD', new, cust) end
for name, on in string.gmatch(ARGV[9], '([^%s:]+):([01])') do
  if on == '1' then redis.call('HSET', follow, name .. '|' .. cust, now)
  else redis.call('HDEL', follow, name .. '|' .. cust) end
end
redis.call('HSET', KEYS[5], cust, ARGV[2])
redis.call('ZADD', KEYS[6], now, cust)
redis.call('ZADD', KEYS[7], ARGV[5], ARGV[4])
for i = 1, 4 do redis.call('EXPIRE', KEYS[i], ttl) end
return 1
