-- Record one customer message atomically and return everything needed to classify and whisper.
-- KEYS: 1 profile hash, 2 history list, 3 events list, 4 update ids seen (zset) — one customer, one slot
-- ARGV: 1 update id, 2 now (epoch s), 3 history entry, 4 history cap, 5 ttl (s), 6 display name,
--       7 kind, 8 agent id, 9 burst window (s), 10 dedupe window (s)
-- Returns {0} for an update seen before, else
--   {1, is_new_customer, message_count, profile (flat), history (newest first), events, action, whisper}
-- where action is "send" (this caller owns the next whisper), "edit" (whisper = the pointer to update)
-- or "wait" (another worker is sending this burst's whisper right now).
local p, h, e, seen = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[10])

-- Telegram redelivers (webhooks retried, two workers behind one URL): an update id seen within the
-- window is a duplicate, however many messages came in between.
if redis.call('ZSCORE', seen, ARGV[1]) then return {0} end
redis.call('ZADD', seen, now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', seen, '-inf', now - window)
redis.call('EXPIRE', seen, window)

redis.call('LPUSH', h, ARGV[3])
redis.call('LTRIM', h, 0, tonumber(ARGV[4]) - 1)
local is_new = 0
if redis.call('HSETNX', p, 'first', now) == 1 then is_new = 1 end
local count = redis.call('HINCRBY', p, 'n', 1)
redis.call('HSET', p, 'last', now, 'name', ARGV[6], 'kind', ARGV[7])

-- Burst coalescing: one whisper per customer and agent, edited while forwards keep coming.
local agent, burst = ARGV[8], tonumber(ARGV[9])
local action, whisper = 'send', false
if burst > 0 then
  local w = redis.call('HGET', p, 'w')   -- "agent|chat|message|updated_at|messages_in_burst"
  if w then
    local wa, wc, wm, wt = string.match(w, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|')
    if wa == agent and wt and now - tonumber(wt) <= burst then action, whisper = 'edit', w end
  end
  if action == 'send' then
    local pending = redis.call('HGET', p, 'wp')  -- "agent|since"
    if pending then
      local pa, pt = string.match(pending, '^([^|]*)|(.*)$')
      if pa == agent and pt and now - tonumber(pt) <= 3 then action = 'wait' end
    end
    if action == 'send' then redis.call('HSET', p, 'wp', agent .. '|' .. now) end
  end
end

local ttl = tonumber(ARGV[5])
redis.call('EXPIRE', p, ttl)
redis.call('EXPIRE', h, ttl)
if redis.call('EXISTS', e) == 1 then redis.call('EXPIRE', e, ttl) end
return {1, is_new, count, redis.call('HGETALL', p), redis.call('LRANGE', h, 0, -1),
        redis.call('LRANGE', e, 0, -1), action, whisper}
