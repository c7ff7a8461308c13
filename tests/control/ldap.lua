-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- ldap.lua: lookups through the LDAP backend for tests/control/ldap.sh,
-- which checks the counters each phase (RG_PHASE) leaves behind.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")
local phase = os.getenv("RG_PHASE")

local c = rg.open("198.51.100.7", "unknown", "x.example")
rg.mail(c, "<a@x.example>", { "i", "4Ldap" .. phase })
rg.passed(c, "offsite MAIL")
if phase == "up" then
	rg.rcpt(c, "<alice@example.edu>")
	rg.passed(c, "alice (directory)")
	rg.rcpt(c, "<nobody@example.edu>")
	rg.refused(c, "nobody")
	rg.rcpt(c, "<alice@example.edu>")
	rg.passed(c, "alice (cache)")
elseif phase == "down" then
	rg.rcpt(c, "<bob@example.edu>")
	rg.refused(c, "bob, directory down")
	rg.rcpt(c, "<carol@example.edu>")
	rg.refused(c, "carol, directory down")
elseif phase == "back" then
	rg.rcpt(c, "<carol@example.edu>")
	rg.passed(c, "carol, directory back")
end
mt.disconnect(c)
-- expect[up]: ^4Ldapup: action=reject stage=rcpt reason=unknown-recipient .*rcpt=<nobody@example\.edu> .*lookup=ldap://
-- expect[down]: ^4Ldapdown: action=tempfail stage=rcpt reason=directory-unavailable .*rcpt=<bob@example\.edu>
-- expect[back]: ^ldap=up uri=ldap://
