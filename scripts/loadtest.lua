-- wrk script for scripts/loadtest.sh: one phase of the load test.
--
--   wrk ... -s scripts/loadtest.lua http://127.0.0.1:PORT -- health
--   wrk ... -s scripts/loadtest.lua http://127.0.0.1:PORT -- chat QUESTIONS.toml TENANT CLIENTS
--
-- health: GET /health on every request.
-- chat:   POST /api/v1/chat, the questions of QUESTIONS.toml in turn (each thread starts at
--         a different one), for TENANT. Each request names one of CLIENTS synthetic
--         citizens in X-Forwarded-For, from 198.18.0.0/15 (RFC 2544's benchmarking range;
--         only a header, no packet goes there). Sophia believes the header because the
--         peer, 127.0.0.1, is a trusted proxy in the shipped sophia.toml: the load looks like
--         many citizens behind the portal's reverse proxy, so the per-client rate limit
--         (at most 60000/min, burst 10000 per address) is exercised but not hit.
--
-- Non-2xx responses are counted per thread in response(); done() adds them up over the
-- threads and prints one machine-readable line for loadtest.sh:
--   LOADTEST requests=N duration_us=N rps=X p50_us=N p90_us=N p99_us=N max_us=N non2xx=N
--            connect=N read=N write=N timeout=N

local threads = {}
local counter = 0

-- Runs in the main Lua state, once per thread before it starts.
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- Reads the one-line `message = "..."` entries of a [[question]] file. Only TOML basic
-- strings with the escapes \" and \\ are understood; anything else stops the run rather
-- than silently skipping a question.
local function read_questions(path)
  local file, err = io.open(path, "r")
  if not file then
    error("cannot read the questions: " .. tostring(err))
  end
  local questions = {}
  local number = 0
  for line in file:lines() do
    number = number + 1
    if line:match("^%s*message%s*=") then
      local raw = line:match('^%s*message%s*=%s*"(.*)"%s*$')
      if not raw then
        error(path .. ":" .. number .. ": expected message = \"...\" on one line")
      end
      local text = raw:gsub("\\(.)", function(c)
        if c == '"' or c == "\\" then
          return c
        end
        error(path .. ":" .. number .. ": unsupported escape \\" .. c)
      end)
      table.insert(questions, text)
    end
  end
  file:close()
  if #questions == 0 then
    error("no `message = \"...\"` lines in " .. path)
  end
  return questions
end

-- A JSON string literal (UTF-8 passes through as is).
local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' end
    if c == "\\" then return "\\\\" end
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

local mode
local bodies = {}
local health_request
local next_question = 1
local clients = 1024
local next_client = 0
local chat_headers = {} -- reused: wrk.format sets Content-Length on it each time
non2xx = 0 -- global: read by done() through thread:get

-- Runs in each thread's own Lua state.
function init(args)
  mode = args[1]
  if mode == "health" then
    health_request = wrk.format("GET", "/health")
  elseif mode == "chat" then
    local questions = read_questions(args[2])
    local tenant = args[3] or "muenchen"
    clients = tonumber(args[4] or "1024")
    for _, q in ipairs(questions) do
      table.insert(bodies,
        '{"message":' .. json_string(q) .. ',"tenant":' .. json_string(tenant) .. '}')
    end
    -- Spread the threads over the mix and over the clients.
    local thread_id = tonumber(_G.id) or 0 -- set by setup()
    next_question = (thread_id * 7) % #bodies + 1
    next_client = (thread_id * 131) % clients
    -- wrk.format uses these headers instead of wrk.headers (keeping only Host).
    chat_headers["Host"] = wrk.headers["Host"]
    chat_headers["Content-Type"] = "application/json"
    if thread_id == 0 then
      io.stderr:write(string.format("loadtest.lua: %d questions from %s, tenant %s, %d clients\n",
        #bodies, args[2], tenant, clients))
    end
  else
    error("usage: -- health | -- chat QUESTIONS.toml [TENANT] [CLIENTS]")
  end
end

function request()
  if mode == "health" then
    return health_request
  end
  local body = bodies[next_question]
  next_question = next_question % #bodies + 1
  local client = next_client
  next_client = (next_client + 1) % clients
  chat_headers["X-Forwarded-For"] = string.format("198.%d.%d.%d",
    18 + math.floor(client / 65536) % 2, math.floor(client / 256) % 256, client % 256)
  return wrk.format("POST", "/api/v1/chat", chat_headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (tonumber(thread:get("non2xx")) or 0)
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "LOADTEST requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    bad, e.connect, e.read, e.write, e.timeout))
end
