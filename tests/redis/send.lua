-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- send.lua: one authenticated session (TLS macros, {auth_authen}) that
-- sends one message per letter of RG_EXPECT from login RG_LOGIN (sender
-- RG_FROM), each to one off-site recipient, queue ids RG_TAG .. N.  The
-- letter says what its RCPT must get: "a" accepted, "t" refused with a
-- reply (relayguard's 451 4.7.1; the log says which reason).  Prints
-- "got LETTERS"; fails when they differ.  With RG_RCPTS (addresses,
-- space-separated) it sends one message instead, to those recipients,
-- and each letter is what one of its RCPTs must get.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

local login, from = os.getenv("RG_LOGIN"), os.getenv("RG_FROM")
local tag, want = os.getenv("RG_TAG"), os.getenv("RG_EXPECT")
local got = ""

local rcpts = {}
for a in string.gmatch(os.getenv("RG_RCPTS") or "", "%S+") do
	rcpts[#rcpts + 1] = a
end

local function letter(r)
	if r == SMFIR_CONTINUE then
		return "a"
	elseif r == SMFIR_REPLYCODE then
		return "t"
	end
	return "?"
end

local c = rg.open("203.0.113.9", "dyn.isp.example", "laptop",
    { "{tls_version}", "TLSv1.3", "{cipher}", "TLS_AES_256_GCM_SHA384" })
if #rcpts > 0 then
	rg.mail(c, from, { "i", tag .. 1, "{auth_type}", "PLAIN", "{auth_authen}", login })
	rg.passed(c, "MAIL")
	for i = 1, #rcpts do
		rg.rcpt(c, "<" .. rcpts[i] .. ">")
		got = got .. letter(mt.getreply(c))
	end
	if mt.abort(c) ~= nil then rg.fail("abort") end
end
for i = 1, (#rcpts > 0 and 0 or #want) do
	rg.mail(c, from, { "i", tag .. i, "{auth_type}", "PLAIN", "{auth_authen}", login })
	rg.passed(c, "MAIL " .. i)
	rg.rcpt(c, "<friend" .. i .. "@elsewhere.example>")
	got = got .. letter(mt.getreply(c))
	if mt.abort(c) ~= nil then rg.fail("abort") end
end
mt.disconnect(c)
print("got " .. got)
if got ~= want then rg.fail("want " .. want .. ", got " .. got) end
