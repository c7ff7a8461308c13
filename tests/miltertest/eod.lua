-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- eod.lua: recipients.unsafe_at = "end-of-data" (run.sh starts a milter
-- for it).  The MTA is asked to skip DATA; the list-like transaction is
-- refused at end of data instead, and a clean one passes.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

local off = { "{tls_version}", "NONE", "{cipher}", "" }

local c = rg.open("127.0.0.2", "[127.0.0.2]", "relay.example", off)
rg.mail(c, "<alice@example.edu>", { "i", "7EoD1" })
rg.passed(c, "MAIL")
rg.rcpt(c, "<alice@example.edu>")
rg.passed(c, "local RCPT")
rg.rcpt(c, "<,Name <u5@victim.example>>")
rg.refused(c, "list-like RCPT")
if mt.eom(c) ~= nil then rg.fail("eom") end
rg.refused(c, "end of data after a list-like RCPT")
-- expect: ^7EoD1: action=reject stage=end-of-data reason=transaction-refused cause=malformed-recipient client=127\.0\.0\.2 .*rcpt="<,Name <u5@victim\.example>>" reply="554 5\.7\.1
mt.abort(c)

rg.mail(c, "<x@isp.example>", { "i", "7EoD2" })
rg.passed(c, "second MAIL")
rg.rcpt(c, "<alice@example.edu>")
rg.passed(c, "second local RCPT")
if mt.eom(c) ~= nil then rg.fail("eom 2") end
rg.passed(c, "end of data of a clean transaction")
mt.disconnect(c)
-- expect: action=accept stage=rcpt reason=local .*rcpt=<alice@example\.edu>
