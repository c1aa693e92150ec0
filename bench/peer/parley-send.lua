-- wrk script: Parley's persisted direct-message send (POST /v1/messages), one message per request, each with a
-- unique client_msg_id (the idempotency key), from the sender to the recipient of an established conversation.
--
--   PAIRS_FILE=pairs.txt wrk -t1 -c16 -d15s --latency -s bench/peer/parley-send.lua http://127.0.0.1:PORT/v1/messages
--
-- PAIRS_FILE has one line per pair: "<sender's API key> <recipient's handle>". Request k of a thread goes from pair
-- (k mod N): with one line, every request is the same pair's; with 64, the connections walk over all of them.
-- Non-2xx responses are counted and the first one is printed at the end (wrk prints "Non-2xx or 3xx responses" too).

local pairs_list = {}
for line in io.lines(os.getenv("PAIRS_FILE")) do
  local key, handle = line:match("^(%S+)%s+(%S+)$")
  if key then table.insert(pairs_list, { key = key, handle = handle }) end
end
local run = os.getenv("RUN_ID") or tostring(os.time())
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

-- Globals, so done() can read them back with thread:get.
counter, non2xx, first_error = 0, 0, ""

function init(args)
  tid = tonumber(tid) or 1
end

function request()
  counter = counter + 1
  local pair = pairs_list[(counter + tid) % #pairs_list + 1]
  local body = string.format('{"to":"%s","client_msg_id":"%s-t%d-n%d","content":{"text":"benchmark message"}}',
    pair.handle, run, tid, counter)
  return wrk.format("POST", wrk.path,
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. pair.key }, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_error == "" then first_error = status .. " " .. (body or "") end
  end
end

function done(summary, latency, requests)
  local total, sample = 0, ""
  for _, thread in ipairs(threads) do
    total = total + (thread:get("non2xx") or 0)
    local e = thread:get("first_error")
    if sample == "" and e and e ~= "" then sample = e end
  end
  io.write(string.format("sends: %d requests, %d non-2xx%s\n",
    summary.requests, total, sample ~= "" and (" (first: " .. sample .. ")") or ""))
end
