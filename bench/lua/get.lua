-- Figure 1: GET /latest/meta-data/instance-id with a valid session token.
-- Arguments: <token>
-- No request() or response() function, so wrk sends one prepared request and runs no Lua per
-- response. The server answers with "Connection: close" and closes; wrk then opens a new
-- connection for the next request (the bench checks the server accepted one connection per
-- request). Nothing here asks for the close, as IMDS clients do not.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "GET"
wrk.path = "/latest/meta-data/instance-id"

function init(args)
  wrk.headers["X-aws-ec2-metadata-token"] = args[1]
end
