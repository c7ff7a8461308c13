-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- milter.lua: relayguard's LDAP backend over the milter protocol.
-- milter.sh runs it once per phase (RG_PHASE = up, down, recovered) and
-- stops or restarts slapd in between; it then checks each phase's
-- "-- expect[PHASE]:" regexes against the daemon's log, in order.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")
local phase = os.getenv("RG_PHASE")

local function inbound(rcpts)
	local c = rg.open("198.51.100.7", "mx.other.example", "mx.other.example")
	rg.mail(c, "<x@other.example>", { "i", "4Ldap" .. phase })
	rg.passed(c, "MAIL from offsite")
	for _, r in ipairs(rcpts) do
		rg.rcpt(c, "<" .. r[1] .. ">")
		if r[2] then rg.passed(c, r[1]) else rg.refused(c, r[1]) end
	end
	mt.disconnect(c)
end

local function login(user, from, ok)
	local c = rg.open("203.0.113.9", "dyn.isp.example", "laptop", { "{tls_version}", "TLSv1.3" })
	rg.mail(c, "<" .. from .. ">", { "{auth_type}", "PLAIN", "{auth_authen}", user })
	if ok then
		rg.passed(c, user .. " owns " .. from)
		rg.rcpt(c, "<friend@elsewhere.example>")
		rg.passed(c, "relay for " .. user)
	else
		rg.refused(c, user .. " owns " .. from)
	end
	mt.disconnect(c)
end

if phase == "up" then
	inbound({ { "alice@example.edu", true }, { "carol@example.edu", true },
	    { "staff@example.edu", true }, { "nobody@example.edu", false },
	    { "*)(uid=*@example.edu", false }, { "a\\2a@example.edu", false },
	    { "al(ice@example.edu", false }, { "a*b@example.edu", true } })
	-- expect[up]: action=accept stage=rcpt reason=local .*rcpt=<alice@example\.edu> lookup=ldap://
	-- expect[up]: action=accept stage=rcpt reason=forward .*rcpt=<carol@example\.edu> lookup=ldap://
	-- expect[up]: action=accept stage=rcpt reason=list .*rcpt=<staff@example\.edu> lookup=ldap://
	-- expect[up]: action=reject stage=rcpt reason=unknown-recipient .*rcpt=<nobody@example\.edu> reply="550 5\.1\.1
	-- expect[up]: action=reject stage=rcpt reason=unknown-recipient .*rcpt="<\*\)\(uid=\*@example\.edu>" reply="550 5\.1\.1
	-- expect[up]: action=reject stage=rcpt reason=unknown-recipient .*rcpt="<a\\\\2a@example\.edu>" reply="550 5\.1\.1
	-- expect[up]: action=reject stage=rcpt reason=unknown-recipient .*rcpt="?<al\(ice@example\.edu>"? reply="550 5\.1\.1
	-- expect[up]: action=accept stage=rcpt reason=local .*rcpt=<a\*b@example\.edu>
	login("alice", "alice.smith@example.edu", true)
	-- expect[up]: action=accept stage=rcpt reason=authenticated .*auth=alice .*from=<alice\.smith@example\.edu> rcpt=<friend@elsewhere\.example>
	login("alice", "bob@example.edu", false)
	-- expect[up]: action=reject stage=mail reason=sender-login-mismatch .*auth=alice .*reply="553 5\.7\.1
	login("*", "bob@example.edu", false)
	-- expect[up]: action=reject stage=mail reason=sender-login-mismatch .*auth=\* .*reply="553 5\.7\.1
	login("trudy", "trudy@example.edu", false)
	-- expect[up]: action=reject stage=mail reason=login-suspended .*auth=trudy .*reply="550 5\.7\.1 This login is suspended; contact the postmaster to have it restored" lookup=ldap://
elseif phase == "down" then
	-- slapd is stopped and the cache's ttl has run out: alice is served
	-- stale; bob was never seen and nobody's negative entry has expired.
	inbound({ { "alice@example.edu", true }, { "bob@example.edu", false },
	    { "nobody@example.edu", false }, { "carol@example.edu", true } })
	-- expect[down]: action=accept stage=rcpt reason=local .*rcpt=<alice@example\.edu> .*directory=stale
	-- expect[down]: action=tempfail stage=rcpt reason=directory-unavailable .*rcpt=<bob@example\.edu> reply="451 4\.3\.0
	-- expect[down]: action=tempfail stage=rcpt reason=directory-unavailable .*rcpt=<nobody@example\.edu> reply="451 4\.3\.0
	-- expect[down]: action=accept stage=rcpt reason=forward .*rcpt=<carol@example\.edu> .*directory=stale
	login("alice", "alice@example.edu", false)
	-- expect[down]: action=tempfail stage=mail reason=directory-unavailable .*reply="451 4\.3\.0
	-- Cached from "up" and stale now: ownership could be served, but not
	-- whether the login was suspended since, so both are could not tell.
	login("alice", "alice.smith@example.edu", false)
	-- expect[down]: action=tempfail stage=mail reason=directory-unavailable .*auth=alice .*reply="451 4\.3\.0 .*directory=stale
	login("trudy", "trudy@example.edu", false)
	-- expect[down]: action=tempfail stage=mail reason=directory-unavailable .*auth=trudy .*reply="451 4\.3\.0 .*directory=stale
elseif phase == "recovered" then
	inbound({ { "bob@example.edu", true }, { "nobody@example.edu", false } })
	-- expect[recovered]: action=accept stage=rcpt reason=local .*rcpt=<bob@example\.edu> lookup=ldap://
	-- expect[recovered]: action=reject stage=rcpt reason=unknown-recipient .*rcpt=<nobody@example\.edu> reply="550 5\.1\.1
	login("trudy", "trudy@example.edu", false)
	-- expect[recovered]: action=reject stage=mail reason=login-suspended .*auth=trudy .*reply="550 5\.7\.1
	login("alice", "alice.smith@example.edu", true)
	-- expect[recovered]: action=accept stage=rcpt reason=authenticated .*auth=alice .*from=<alice\.smith@example\.edu>
else
	rg.fail("RG_PHASE must be up, down or recovered")
end
