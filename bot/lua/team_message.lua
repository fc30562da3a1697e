-- Keep a team's daily counters as each customer message arrives, so a summary never scans customers.
-- KEYS: 1 day stats hash, 2 day customers hash, 3 day follow-up hash, 4 names hash, 5 recent zset,
--       6 days zset (all one team: same hash tag)
-- ARGV: 1 customer id, 2 display name, 3 now (epoch s), 4 day (YYYYMMDD), 5 day start (epoch s),
--       6 customer is new today (0/1), 7 labels "behavior|personality|mood|value|shopper",
--       8 agent id, 9 follow-up flags: space-separated "list:on" / "list:off",
--       10 ttl of day keys (s), then counter names to increment by one (intents, concerns, moods…)
local stats, custs, follow = KEYS[1], KEYS[2], KEYS[3]
local cust, now = ARGV[1], tonumber(ARGV[3])

redis.call('HINCRBY', stats, 'messages', 1)
if redis.call('HEXISTS', custs, cust) == 0 then
  redis.call('HINCRBY', stats, 'customers', 1)
  if ARGV[6] == '1' then redis.call('HINCRBY', stats, 'customers_new', 1)
  else redis.call('HINCRBY', stats, 'customers_returning', 1) end
end
redis.call('HSET', custs, cust, ARGV[7])
redis.call('HINCRBY', stats, 'agent:' .. ARGV[8], 1)
for i = 11, #ARGV do redis.call('HINCRBY', stats, ARGV[i], 1) end

for flag in string.gmatch(ARGV[9], '%S+') do
  local list, state = string.match(flag, '^(.*):(%a+)$')
  if state == 'on' then redis.call('HSET', follow, list .. '|' .. cust, now)
  else redis.call('HDEL', follow, list .. '|' .. cust) end
end

redis.call('HSET', KEYS[4], cust, ARGV[2])
redis.call('ZADD', KEYS[5], now, cust)
redis.call('ZADD', KEYS[6], ARGV[5], ARGV[4])
local ttl = tonumber(ARGV[10])
redis.call('EXPIRE', stats, ttl)
redis.call('EXPIRE', custs, ttl)
redis.call('EXPIRE', follow, ttl)
return 1
