-- Upload benchmark: one S3 pre-signed POST of a big file through og:create_upload + og:upload.
-- usage: roster run --sandbox scripts/bench-lua/upload.lua FILE
--        (scripts/bench points OMNIGAGE_BASE_URL at a standalone `roster sandbox` instead, so curl can reach it)
local path = arg[1]
local f = assert(io.open(path, "rb"))
local size = f:seek("end")
f:close()
local og = roster.omnigage {}
local up = og:create_upload { name = "bench.csv", type = "text/csv", size = size }
og:upload(up, path)
print(string.format("uploaded %d MB", size // (1024 * 1024)))
