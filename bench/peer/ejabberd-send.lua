-- wrk script: ejabberd's send_message over mod_http_api, one chat message per request, each with a
-- unique body. The recipient is offline, so every accepted message becomes a row in the `spool` table.
--
--   wrk -t1 -c4 -d3s --latency -s bench/peer/ejabberd-send.lua http://127.0.0.1:PORT/api/send_message
--
-- PAIRS=1 (default): a@localhost -> b@localhost.
-- PAIRS=N > 1: request k of thread t goes u_i -> v_i with i = (k + t) mod N + 1, so every connection walks
-- over all pairs (the users are registered by `ejabberd.sh start` with the same PAIRS).
-- At the end, non-2xx responses are printed with the first one's status and body; wrk itself also prints
-- "Non-2xx or 3xx responses: N" when there are any.

-- Thread numbers, the counter and the non-2xx count come from threads.lua beside this script.
label = "send_message"
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "threads.lua")

local pairs_n = tonumber(os.getenv("PAIRS") or "1") or 1
local run = tostring(os.time())         -- distinguishes bodies of separate runs against one database
local headers = { ["Content-Type"] = "application/json" }

function request()
  counter = counter + 1
  local from, to = "a", "b"
  if pairs_n > 1 then
    local i = (counter + tid) % pairs_n + 1
    from, to = "u" .. i, "v" .. i
  end
  local body = string.format(
    '{"type":"chat","from":"%s@localhost","to":"%s@localhost","subject":"","body":"bench %s t%d n%d"}',
    from, to, run, tid, counter)
  return wrk.format("POST", wrk.path, headers, body)
end

