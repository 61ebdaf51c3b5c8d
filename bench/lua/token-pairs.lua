-- Figure 2: token PUT + GET pairs, each GET using the token its PUT just returned, each request on
-- its own connection. Mode "get" sends only GETs with a fixed token, through the same Lua
-- callbacks, so both rates pay the same load-generator cost.
-- Arguments: <mode: pairs|get> <token, for mode get>
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

counter_names = { "ok_puts", "ok_gets", "bad" }
ok_puts, ok_gets, bad = 0, 0, 0

local PATH = "/latest/meta-data/instance-id"
local TOKEN_HEADER = "X-aws-ec2-metadata-token"
-- A GET here answers an instance id ("i-" and hex digits); any other 200 body is a PUT's token,
-- whatever its length (this emulator's are 56 characters, the Go peer's 44). The TTL header
-- cannot tell them apart: this emulator sends it on token GETs too, as IMDS does.
local INSTANCE_ID = "^i%-%x+$"
local mode, put_request, fixed_get
-- Tokens returned by PUTs and not yet used; a connection sends a GET when one is waiting,
-- else a PUT, so every GET spends a fresh token and GETs never outnumber PUTs.
local tokens = {}

-- wrk.format takes its headers instead of wrk.headers, so each request adds CLOSE_HEADERS itself.
local function with_close(extra)
  local all = {}
  for name, value in pairs(CLOSE_HEADERS) do all[name] = value end
  for name, value in pairs(extra) do all[name] = value end
  return all
end

function init(args)
  mode = args[1]
  put_request = wrk.format("PUT", "/latest/api/token", with_close({ ["X-aws-ec2-metadata-token-ttl-seconds"] = "21600" }))
  if mode == "get" then
    fixed_get = wrk.format("GET", PATH, with_close({ [TOKEN_HEADER] = args[2] }))
  end
end

function request()
  if mode == "get" then
    return fixed_get
  end
  local token = table.remove(tokens)
  if token then
    return wrk.format("GET", PATH, with_close({ [TOKEN_HEADER] = token }))
  end
  return put_request
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  elseif mode == "pairs" and not string.find(body, INSTANCE_ID) then
    ok_puts = ok_puts + 1
    table.insert(tokens, body)
  else
    ok_gets = ok_gets + 1
  end
end
