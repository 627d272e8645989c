-- Shared helpers of the wrk scenario scripts (loaded with dofile by each script, in every
-- thread's Lua state and in the main one).
--
-- Environment (set by bench/run):
--   BENCH_NAME        scenario name written in the result line
--   BENCH_OUT         file the result line (JSON) is appended to
--   BENCH_TOKEN       bearer token (practitioner) for reads
--   BENCH_STOP_AFTER  stop each thread after this many responses (0 = run for -d)
-- A result line: {"name","requests","duration_s","rps","p50_ms","p99_ms","mean_ms","max_ms",
--   "errors":{connect,read,write,status,timeout},"bytes", plus script counters}.

local M = {}

M.token = os.getenv("BENCH_TOKEN") or ""
M.stop_after = tonumber(os.getenv("BENCH_STOP_AFTER") or "0") or 0

function M.auth_headers(token)
  return {["Authorization"] = "Bearer " .. (token or M.token), ["Accept"] = "application/json"}
end

function M.split(s, sep)
  local out = {}
  if not s or s == "" then return out end
  for part in string.gmatch(s, "([^" .. sep .. "]+)") do out[#out + 1] = part end
  return out
end

-- Per-thread state: a distinct random stream and an id used for unique identifiers.
local thread_counter = 0
local threads = {}

function M.setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_no", thread_counter)
  threads[#threads + 1] = thread
end

-- Counting responses (only scripts that define response() pay for body parsing).
M.responses = 0
function M.count_and_maybe_stop()
  M.responses = M.responses + 1
  if M.stop_after > 0 and M.responses >= M.stop_after then
    wrk.thread:stop()
  end
end

local function json_escape(s)
  return (tostring(s):gsub('\\', '\\\\'):gsub('"', '\\"'))
end

-- done(): one JSON line with the figures; `counters` names thread globals to sum.
function M.make_done(counters)
  return function(summary, latency, requests)
    local secs = summary.duration / 1e6
    local e = summary.errors
    local parts = {
      string.format('"name":"%s"', json_escape(os.getenv("BENCH_NAME") or "unnamed")),
      string.format('"requests":%d', summary.requests),
      string.format('"duration_s":%.3f', secs),
      string.format('"rps":%.2f', secs > 0 and summary.requests / secs or 0),
      string.format('"p50_ms":%.3f', latency:percentile(50) / 1000),
      string.format('"p99_ms":%.3f', latency:percentile(99) / 1000),
      string.format('"mean_ms":%.3f', latency.mean / 1000),
      string.format('"max_ms":%.3f', latency.max / 1000),
      string.format('"bytes":%d', summary.bytes),
      string.format('"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}',
        e.connect, e.read, e.write, e.status, e.timeout),
    }
    for _, name in ipairs(counters or {}) do
      local total = 0
      for _, t in ipairs(threads) do total = total + (tonumber(t:get(name)) or 0) end
      parts[#parts + 1] = string.format('"%s":%d', name, total)
    end
    local line = "{" .. table.concat(parts, ",") .. "}"
    local out = os.getenv("BENCH_OUT")
    if out and out ~= "" then
      local f = io.open(out, "a")
      f:write(line, "\n")
      f:close()
    end
    io.write(line, "\n")
  end
end

-- Standard base64 (LuaJIT bit library) for OMH data points inside uploaded Observations.
local bit = require("bit")
local b64chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local b64 = {}
for i = 1, 64 do b64[i - 1] = b64chars:sub(i, i) end
function M.base64(data)
  local out, n = {}, #data
  for i = 1, n, 3 do
    local a, b, c = data:byte(i, i + 2)
    local v = bit.bor(bit.lshift(a, 16), bit.lshift(b or 0, 8), c or 0)
    out[#out + 1] = b64[bit.band(bit.rshift(v, 18), 63)] .. b64[bit.band(bit.rshift(v, 12), 63)] ..
      (b and b64[bit.band(bit.rshift(v, 6), 63)] or '=') .. (c and b64[bit.band(v, 63)] or '=')
  end
  return table.concat(out)
end

-- A heart-rate data point (OMH heart-rate 2.0) with a unique uuid, and its Observation entry.
local dp_cache = {}
function M.hr_data(n)
  local k = n % 60
  if not dp_cache[k] then
    local when = string.format("2024-01-01T%02d:%02d:00Z", 6 + k % 12, k)
    dp_cache[k] = M.base64(M.hr_point(string.format("00000000-0000-4000-8000-%012d", k), when, 55 + k % 50))
  end
  return dp_cache[k]
end

function M.hr_point(uuid, when, value)
  return string.format(
    '{"header":{"uuid":"%s","schema_id":{"namespace":"omh","name":"heart-rate","version":"2.0"},' ..
    '"source_creation_date_time":"%s","modality":"sensed",' ..
    '"external_datasheets":[{"datasheet_type":"manufacturer","datasheet_reference":"Oura"}]},' ..
    '"body":{"heart_rate":{"value":%d,"unit":"beats/min"},"effective_time_frame":{"date_time":"%s"}}}',
    uuid, when, value, when)
end

-- An Observation batch entry with a unique identifier (the data point itself repeats: the
-- identifier is what must be unique).
function M.hr_entry(patient_id, ident, n)
  return string.format(
    '{"resource":{"resourceType":"Observation","status":"final",' ..
    '"identifier":[{"system":"urn:jhe:bench","value":"%s"}],' ..
    '"code":{"coding":[{"system":"https://w3id.org/openmhealth","code":"omh:heart-rate:2.0"}]},' ..
    '"subject":{"reference":"Patient/%s"},"device":{"reference":"Device/%s"},' ..
    '"valueAttachment":{"contentType":"application/json","data":"%s"}},' ..
    '"request":{"method":"POST","url":"Observation"}}',
    ident, patient_id, os.getenv("BENCH_DEVICE") or "70004", M.hr_data(n))
end

-- A fake but well-formed UUID unique per (run, thread, counter).
function M.uuid(run, thread_no, n)
  return string.format("%08x-%04x-4%03x-8%03x-%012x", run % 4294967295, thread_no % 65535,
    math.floor(n / 4096) % 4096, n % 4096, n)
end

function M.batch(patient_id, run, thread_no, counter, size)
  local entries = {}
  for i = 1, size do
    local n = counter + i
    entries[i] = M.hr_entry(patient_id, M.uuid(run, thread_no, n), n)
  end
  return '{"resourceType":"Bundle","type":"batch","entry":[' .. table.concat(entries, ",") .. ']}'
end

return M
