-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- common.lua: helpers shared by relayguard's miltertest scripts.
-- The socket comes from RG_SOCKET; run.sh starts relayguard and checks
-- the "-- expect:" lines of each script against its log afterwards.

rg = {}

function rg.fail(msg)
	error(msg, 2)
end

function rg.connect()
	local conn = mt.connect(os.getenv("RG_SOCKET"), 40, 0.25)
	if conn == nil then rg.fail("mt.connect() failed") end
	return conn
end

local names = {
	[SMFIR_CONTINUE] = "continue", [SMFIR_REPLYCODE] = "replycode",
	[SMFIR_REJECT] = "reject", [SMFIR_TEMPFAIL] = "tempfail",
	[SMFIR_ACCEPT] = "accept", [SMFIR_DISCARD] = "discard",
}

-- expect(conn, want, what): the last reply must be 'want'.
function rg.expect(conn, want, what)
	local got = mt.getreply(conn)
	if got ~= want then
		rg.fail(string.format("%s: expected %s, got %s", what,
		    names[want] or tostring(want), names[got] or tostring(got)))
	end
end

-- A refusal with a reply text arrives as SMFIR_REPLYCODE.
function rg.refused(conn, what) rg.expect(conn, SMFIR_REPLYCODE, what) end
function rg.passed(conn, what) rg.expect(conn, SMFIR_CONTINUE, what) end

-- open(ip, host, helo, helo_macros): connect and say HELO.
function rg.open(ip, host, helo, helo_macros)
	local conn = rg.connect()
	mt.macro(conn, SMFIC_CONNECT, "j", "mx.example.edu", "{daemon_name}", "smtpd",
	    "{client_addr}", ip)
	if mt.conninfo(conn, host, ip) ~= nil then rg.fail("conninfo") end
	local r = mt.getreply(conn)
	if r ~= SMFIR_CONTINUE and r ~= nil then rg.fail("conninfo reply " .. tostring(r)) end
	if helo_macros ~= nil then
		mt.macro(conn, SMFIC_HELO, table.unpack(helo_macros))
	end
	if mt.helo(conn, helo) ~= nil then rg.fail("helo") end
	return conn
end

function rg.mail(conn, sender, macros)
	if macros ~= nil then mt.macro(conn, SMFIC_MAIL, table.unpack(macros)) end
	if mt.mailfrom(conn, sender) ~= nil then rg.fail("mailfrom " .. sender) end
end

function rg.rcpt(conn, rcpt)
	if mt.rcptto(conn, rcpt) ~= nil then rg.fail("rcptto " .. rcpt) end
end

return rg
