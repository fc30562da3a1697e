-- Give up a claim in a hash only if it is still ours (a summary that could not be sent at all).
-- KEYS: 1 claims hash   ARGV: 1 field, 2 owner
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
