-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- Background traffic during reloads: every transaction gets an answer.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")
for i = 1, 5 do
	local c = rg.open("203.0.113.9", "unknown", "t")
	rg.mail(c, "<x@isp.example>")
	rg.passed(c, "traffic MAIL")
	rg.rcpt(c, "<alice@example.edu>")
	rg.passed(c, "traffic RCPT")
	mt.disconnect(c)
end
