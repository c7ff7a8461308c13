-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- send.lua: one authenticated session (TLS macros, {auth_authen}) that
-- sends one message per letter of RG_EXPECT from login RG_LOGIN (sender
-- RG_FROM), each to one off-site recipient, queue ids RG_TAG .. N.  The
-- letter says what its RCPT must get: "a" accepted, "t" refused with a
-- reply (relayguard's 451 4.7.1; the log says which reason).  Prints
-- "got LETTERS"; fails when they differ.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

local login, from = os.getenv("RG_LOGIN"), os.getenv("RG_FROM")
local tag, want = os.getenv("RG_TAG"), os.getenv("RG_EXPECT")
local got = ""

local c = rg.open("203.0.113.9", "dyn.isp.example", "laptop",
    { "{tls_version}", "TLSv1.3", "{cipher}", "TLS_AES_256_GCM_SHA384" })
for i = 1, #want do
	rg.mail(c, from, { "i", tag .. i, "{auth_type}", "PLAIN", "{auth_authen}", login })
	rg.passed(c, "MAIL " .. i)
	rg.rcpt(c, "<friend" .. i .. "@elsewhere.example>")
	local r = mt.getreply(c)
	if r == SMFIR_CONTINUE then
		got = got .. "a"
	elseif r == SMFIR_REPLYCODE then
		got = got .. "t"
	else
		got = got .. "?"
	end
	if mt.abort(c) ~= nil then rg.fail("abort") end
end
mt.disconnect(c)
print("got " .. got)
if got ~= want then rg.fail("want " .. want .. ", got " .. got) end
