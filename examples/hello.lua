-- The smallest Roster script: arguments, logging and JSON.
local who = arg[1] or "world"
roster.log.info("hello from " .. arg[0])
print(roster.json.encode({ greeting = "hello, " .. who, args = select("#", ...) }))
