-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- Reload: a connection keeps the snapshot it started with; new
-- connections get the new one; a broken file changes nothing.
-- RG_RELOAD is a shell command: "$RG_RELOAD good" or "$RG_RELOAD bad".
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

local function reload(which)
	if not os.execute(os.getenv("RG_RELOAD") .. " " .. which) then
		rg.fail("reload helper failed: " .. which)
	end
end

local old = rg.open("198.51.100.7", "unknown", "x")
-- CONNECT and HELO get no reply (SMFIP_NR_*): MAIL's reply proves the
-- milter has seen the connection before the reload starts.
rg.mail(old, "<a@x.example>")
rg.passed(old, "old connection MAIL")
reload("good")		-- policy B trusts 198.51.100.0/24

rg.rcpt(old, "<u@victim.example>")
rg.refused(old, "old connection keeps the old policy")
mt.disconnect(old)

local new = rg.open("198.51.100.7", "unknown", "x")
rg.mail(new, "<a@x.example>")
rg.rcpt(new, "<u@victim.example>")
rg.passed(new, "new connection gets the new policy")
mt.disconnect(new)

reload("bad")		-- a syntax error and a bad CIDR: refused

local after = rg.open("198.51.100.7", "unknown", "x")
rg.mail(after, "<a@x.example>")
rg.rcpt(after, "<u@victim.example>")
rg.passed(after, "a bad reload keeps policy B")
mt.disconnect(after)
