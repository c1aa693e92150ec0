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

local pairs_n = tonumber(os.getenv("PAIRS") or "1") or 1
local run = tostring(os.time())         -- distinguishes bodies of separate runs against one database
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

-- Globals, not locals: setup() sets `tid` in each thread's Lua state with thread:set, and done() reads
-- `non2xx` and `first_error` back with thread:get.
counter, non2xx, first_error = 0, 0, ""
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  tid = tonumber(tid) or 1
end

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
  io.write(string.format("send_message: %d requests, %d non-2xx%s\n",
    summary.requests, total, sample ~= "" and (" (first: " .. sample .. ")") or ""))
end
