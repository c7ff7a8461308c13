-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- limits.lua: limits.connections = 2 (run.sh starts a milter for it).
-- Two busy connections are served; a third is tempfailed at CONNECT with
-- a reply; once one closes, a new connection is served again.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

local function connect_only(ip)
	local conn = rg.connect()
	mt.macro(conn, SMFIC_CONNECT, "j", "mx.example.edu", "{client_addr}", ip)
	if mt.conninfo(conn, "[" .. ip .. "]", ip) ~= nil then rg.fail("conninfo") end
	return conn
end

local a = rg.open("203.0.113.61", "[203.0.113.61]", "a", nil)
local b = rg.open("203.0.113.62", "[203.0.113.62]", "b", nil)
local c = connect_only("203.0.113.63")
rg.expect(c, SMFIR_REPLYCODE, "third connection over the limit")
mt.disconnect(c)
-- expect: limit=connections refused=1 busy=3 max=2
-- The two served connections still work.
rg.mail(a, "<x@isp.example>", nil)
rg.passed(a, "MAIL on a served connection")
rg.rcpt(a, "<u@victim.example>")
rg.refused(a, "relay on a served connection")
mt.disconnect(a)
mt.disconnect(b)
-- Room again: a new connection is served (no reply wanted at CONNECT).
local d = rg.open("203.0.113.64", "[203.0.113.64]", "d", nil)
rg.mail(d, "<x@isp.example>", nil)
rg.passed(d, "MAIL after the others closed")
mt.disconnect(d)
-- expect: action=reject stage=rcpt reason=relay-denied client=203\.0\.113\.61
