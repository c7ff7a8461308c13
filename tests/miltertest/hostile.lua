-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- Hostile values: control characters in macros and envelope values must
-- neither crash relayguard nor forge a log line.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

local c = rg.open("198.51.100.9", "evil\r\nNOQUEUE: action=accept", "evil\nx")
rg.mail(c, "<a@x.example>", { "{auth_authen}", "", "i", "Q\nID" })
rg.passed(c, "hostile MAIL")
rg.rcpt(c, "<u@victim.example\r\nNOQUEUE: action=accept stage=rcpt>")
rg.refused(c, "CRLF in recipient")
-- expect: action=reject stage=rcpt reason=bad-recipient client=198\.51\.100\.9 client_name="evil\\r\\nNOQUEUE: action=accept" helo="evil\\nx"
rg.rcpt(c, "<" .. string.rep("a", 300) .. "@example.edu>")
rg.refused(c, "over-long recipient")
-- expect: reason=bad-recipient .*reply="501 5\.1\.3 Recipient address too long"
rg.rcpt(c, "<>")
rg.refused(c, "null recipient")
mt.disconnect(c)
