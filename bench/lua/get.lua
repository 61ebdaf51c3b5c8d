-- GET the URL's path (figure 1: /latest/meta-data/instance-id) with a session token, or with
-- none when the token argument is empty (an IMDSv1 read).
-- Arguments: <token>
-- No request() or response() function, so wrk sends one prepared request and runs no Lua per
-- response. The server answers with "Connection: close" and closes; wrk then opens a new
-- connection for the next request (the bench checks the server accepted one connection per
-- request). Nothing here asks for the close, as IMDS clients do not.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "GET"

function init(args)
  if args[1] ~= nil and args[1] ~= "" then
    wrk.headers["X-aws-ec2-metadata-token"] = args[1]
  end
end
