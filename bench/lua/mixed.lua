-- Scenario 7 and the memory run: a mixed workload, per request drawn at random:
--   55% FHIR read by id (practitioner), 20% FHIR search of one patient (_count=50),
--   10% Admin API lists (patients of an organization, observations of a study),
--   10% batch upload of 10 heart-rate Observations (patient token),
--    5% consent change (PATCH of the patient's own consent, consented stays true).
-- Environment as get.lua and upload.lua, plus BENCH_STUDY and BENCH_ORG.
local C = dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/common.lua")

local id_lo = tonumber(os.getenv("BENCH_ID_LO") or "") or 60001
local id_hi = tonumber(os.getenv("BENCH_ID_HI") or "") or 60009
local patients = C.split(os.getenv("BENCH_PATIENTS") or "40001", ",")
local tokens = C.split(os.getenv("BENCH_TOKENS") or "", ",")
local pats = C.split(os.getenv("BENCH_UPLOAD_PATIENTS") or "", ",")
local study = os.getenv("BENCH_STUDY") or "30006"
local org = os.getenv("BENCH_ORG") or "20001"
local run = tonumber(os.getenv("BENCH_RUN") or "1")
local reader = C.auth_headers()
local counter = 0
reads, searches, lists, uploads, consents, failed_uploads = 0, 0, 0, 0, 0, 0

setup = C.setup

local writer
function init(args)
  math.randomseed(os.time() * 100 + (thread_no or 0))
  local i = (thread_no - 1) % math.max(#tokens, 1) + 1
  patient_i = pats[i] or "40001"
  writer = C.auth_headers(tokens[i])
  writer["Content-Type"] = "application/json"
end

local consent_body = string.format(
  '{"studyScopeConsents":[{"studyId":%s,"scopeConsents":[{"codingSystem":' ..
  '"https://w3id.org/openmhealth","codingCode":"omh:heart-rate:2.0","consented":true}]}]}', study)

function request()
  local r = math.random()
  if r < 0.55 then
    reads = reads + 1
    return wrk.format("GET", "/FHIR/R5/Observation/" .. math.random(id_lo, id_hi), reader)
  elseif r < 0.75 then
    searches = searches + 1
    return wrk.format("GET", "/FHIR/R5/Observation?patient=" ..
      patients[math.random(1, #patients)] .. "&_count=50", reader)
  elseif r < 0.85 then
    lists = lists + 1
    if math.random() < 0.5 then
      return wrk.format("GET", "/api/v1/patients?organizationId=" .. org, reader)
    end
    return wrk.format("GET", "/api/v1/observations?studyId=" .. study .. "&pageSize=20", reader)
  elseif r < 0.95 then
    uploads = uploads + 1
    local body = C.batch(patient_i, run, thread_no + 100, counter, 10)
    counter = counter + 10
    return wrk.format("POST", "/FHIR/R5/", writer, body)
  end
  consents = consents + 1
  return wrk.format("PATCH", "/api/v1/patients/" .. patient_i .. "/consents", writer, consent_body)
end

function response(status, hdrs, body)
  C.count_and_maybe_stop()
end

done = C.make_done({"reads", "searches", "lists", "uploads", "consents"})
