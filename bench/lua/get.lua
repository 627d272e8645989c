-- GET scenarios (1 read by id, 2 search page, 4 paging, 6 Admin API lists, and the trivial
-- baseline). BENCH_PATHS: space-separated path templates, used in turn; in each,
--   {id}      is replaced by a random integer in [BENCH_ID_LO, BENCH_ID_HI]
--   {patient} by a random entry of BENCH_PATIENTS (comma list)
-- Every request carries the bearer token BENCH_TOKEN.
local C = dofile((os.getenv("BENCH_LUA") or "bench/lua") .. "/common.lua")

local paths = C.split(os.getenv("BENCH_PATHS") or "/health", " ")
local id_lo = tonumber(os.getenv("BENCH_ID_LO") or "") or 0
local id_hi = tonumber(os.getenv("BENCH_ID_HI") or "") or 0
local patients = C.split(os.getenv("BENCH_PATIENTS") or "", ",")
local headers = C.auth_headers()
local turn = 0

setup = C.setup

function init(args)
  math.randomseed(os.time() * 100 + (thread_no or 0))
end

function request()
  turn = turn + 1
  local p = paths[(turn - 1) % #paths + 1]
  if id_hi > 0 then p = p:gsub("{id}", tostring(math.random(id_lo, id_hi))) end
  if #patients > 0 then p = p:gsub("{patient}", patients[math.random(1, #patients)]) end
  return wrk.format("GET", p, headers)
end

if C.stop_after > 0 then
  function response(status, hdrs, body)
    C.count_and_maybe_stop()
  end
end

done = C.make_done()
