-- GET the paths in BENCH_PATHS (comma-separated) in turn, with an optional
-- If-None-Match from BENCH_IF_NONE_MATCH.
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^,]+") do
  paths[#paths + 1] = path
end
local headers = {}
if os.getenv("BENCH_IF_NONE_MATCH") then
  headers["If-None-Match"] = os.getenv("BENCH_IF_NONE_MATCH")
end
local prepared = {}
for i, path in ipairs(paths) do
  prepared[i] = wrk.format("GET", path, headers)
end
local counter = 0

function request()
  counter = counter + 1
  return prepared[(counter % #prepared) + 1]
end
