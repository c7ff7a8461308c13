-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- traffic.lua: a known sequence of transactions; tests/control/run.sh
-- checks that the daemon's counters moved by exactly these decisions:
--   connect accept offsite 1, connect accept trusted 1, helo accept helo 2,
--   mail accept offsite 1, mail accept trusted 1,
--   rcpt reject relay-denied 1, rcpt accept local 1,
--   rcpt reject unknown-recipient 1, rcpt accept trusted 1,
--   data accept data 1; file lookups: found 1, notfound 1.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

local c = rg.open("198.51.100.7", "unknown", "x.example")
rg.mail(c, "<a@x.example>", { "i", "4Ctl1" })
rg.passed(c, "offsite MAIL")
rg.rcpt(c, "<u@victim.example>")
rg.refused(c, "offsite relay")
rg.rcpt(c, "<alice@example.edu>")
rg.passed(c, "inbound mailbox")
rg.rcpt(c, "<nobody@example.edu>")
rg.refused(c, "unknown recipient")
mt.disconnect(c)

c = rg.open("192.0.2.5", "host.example.edu", "host.example.edu")
rg.mail(c, "<x@example.edu>", { "i", "4Ctl2" })
rg.passed(c, "trusted MAIL")
rg.rcpt(c, "<friend@elsewhere.example>")
rg.passed(c, "trusted relay")
if mt.data(c) ~= nil then rg.fail("data") end
rg.passed(c, "DATA")
mt.disconnect(c)
-- expect: ^4Ctl1: action=reject stage=rcpt reason=relay-denied
-- expect: ^4Ctl1: action=reject stage=rcpt reason=unknown-recipient
