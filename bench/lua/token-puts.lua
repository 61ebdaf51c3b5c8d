-- Figure 3: token PUTs, as fast as the server answers. No response() callback, so wrk sends one
-- prepared request; wrk counts non-2xx answers itself. The bench runs this in short bursts and
-- reads the server's own count until it has answered enough PUTs.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

wrk.method = "PUT"
wrk.path = "/latest/api/token"
wrk.headers["X-aws-ec2-metadata-token-ttl-seconds"] = "21600"
