-- POST an RSVP with a unique e-mail to each request, spread over the events in
-- BENCH_EVENT_IDS. BENCH_PATH_FORMAT names the route ("%d" is the event id);
-- BENCH_TAG keeps e-mails of separate runs apart.
local ids = {}
for value in string.gmatch(os.getenv("BENCH_EVENT_IDS") or "1", "[^,]+") do
  ids[#ids + 1] = tonumber(value)
end
local path_format = os.getenv("BENCH_PATH_FORMAT") or "/api/v1/events/%d/registrations"
local tag = os.getenv("BENCH_TAG") or "run"
local threads = {}
local counter = 0
local headers = { ["Content-Type"] = "application/json" }

function setup(thread)
  thread:set("thread_number", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local event_id = ids[((counter * 7 + thread_number * 131) % #ids) + 1]
  local email = string.format("%s-%d-%d@bench.example.org", tag, thread_number, counter)
  local body = string.format('{"name": "Bench participant %d-%d", "email": "%s"}',
                             thread_number, counter, email)
  return wrk.format("POST", string.format(path_format, event_id), headers, body)
end
