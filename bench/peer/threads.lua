-- What both wrk send scripts share (loaded by them with dofile): thread numbers, a request counter per thread, and
-- the count of non-2xx responses with the first one's status and body, printed at the end as "<label>: …" (wrk
-- prints its own "Non-2xx or 3xx responses" line too). The loading script sets `label` first and defines request().

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

-- Globals, not locals: setup() sets `tid` in each thread's Lua state with thread:set, and done() reads `non2xx` and
-- `first_error` back with thread:get.
counter, non2xx, first_error = 0, 0, ""

function init(args)
  tid = tonumber(tid) or 1
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
  io.write(string.format("%s: %d requests, %d non-2xx%s\n",
    label, summary.requests, total, sample ~= "" and (" (first: " .. sample .. ")") or ""))
end
