-- Scenario 5: batch uploads of BENCH_BATCH-entry Bundles (default 100) of valid OMH heart-rate
-- Observations. Each wrk thread is one client: thread i uses token i of BENCH_TOKENS (patient
-- tokens, comma list) for patient i of BENCH_UPLOAD_PATIENTS. Identifiers are unique per run
-- (BENCH_RUN), thread and counter. Counts the entries stored ("201 Created") and failed.
local C = dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/common.lua")

local tokens = C.split(os.getenv("BENCH_TOKENS") or "", ",")
local pats = C.split(os.getenv("BENCH_UPLOAD_PATIENTS") or "", ",")
local size = tonumber(os.getenv("BENCH_BATCH") or "100")
local run = tonumber(os.getenv("BENCH_RUN") or "1")
local counter = 0
created = 0
failed = 0

setup = C.setup

local headers
function init(args)
  local i = (thread_no - 1) % #tokens + 1
  token_i = tokens[i]
  patient_i = pats[i]
  headers = C.auth_headers(token_i)
  headers["Content-Type"] = "application/fhir+json"
end

function request()
  local body = C.batch(patient_i, run, thread_no, counter, size)
  counter = counter + size
  return wrk.format("POST", "/FHIR/R5/", headers, body)
end

function response(status, hdrs, body)
  if status == 200 then
    local _, ok = body:gsub('"201 Created"', "")
    created = created + ok
    failed = failed + (size - ok)
  else
    failed = failed + size
  end
  C.count_and_maybe_stop()
end

done = C.make_done({"created", "failed"})
