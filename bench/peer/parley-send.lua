-- wrk script: Parley's persisted direct-message send (POST /v1/messages), one message per request, each with a
-- unique client_msg_id (the idempotency key), from the sender to the recipient of an established conversation.
--
--   PAIRS_FILE=pairs.txt wrk -t1 -c16 -d15s --latency -s bench/peer/parley-send.lua http://127.0.0.1:PORT/v1/messages
--
-- PAIRS_FILE has one line per pair: "<sender's API key> <recipient's handle>". Request k of a thread goes from pair
-- (k mod N): with one line, every request is the same pair's; with 64, the connections walk over all of them.
-- Non-2xx responses are counted and the first one is printed at the end (wrk prints "Non-2xx or 3xx responses" too).

-- Thread numbers, the counter and the non-2xx count come from threads.lua beside this script.
label = "sends"
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "threads.lua")

local pairs_list = {}
for line in io.lines(os.getenv("PAIRS_FILE")) do
  local key, handle = line:match("^(%S+)%s+(%S+)$")
  if key then table.insert(pairs_list, { key = key, handle = handle }) end
end
local run = os.getenv("RUN_ID") or tostring(os.time())

function request()
  counter = counter + 1
  local pair = pairs_list[(counter + tid) % #pairs_list + 1]
  local body = string.format('{"to":"%s","client_msg_id":"%s-t%d-n%d","content":{"text":"benchmark message"}}',
    pair.handle, run, tid, counter)
  return wrk.format("POST", wrk.path,
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. pair.key }, body)
end

