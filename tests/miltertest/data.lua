-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- data.lua: the DATA stage over the milter protocol.  A transaction whose
-- recipient was malformed or list-like is refused whole at DATA, because
-- the MTA (Sendmail) may have kept list elements relayguard never judged;
-- a clean one passes DATA, and MAIL starts the next transaction clean.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

local off = { "{tls_version}", "NONE", "{cipher}", "" }

-- 1. The reported open relay: a local recipient, then a list-like one.
local c = rg.open("127.0.0.2", "[127.0.0.2]", "relay.example", off)
rg.mail(c, "<alice@example.edu>", { "i", "7DaTa1" })
rg.passed(c, "MAIL")
mt.macro(c, SMFIC_RCPT, "i", "7DaTa1")
rg.rcpt(c, "<alice@example.edu>")
rg.passed(c, "local RCPT")
rg.rcpt(c, "<,Name <u5@victim.example>>")
rg.refused(c, "list-like RCPT")
if mt.data(c) ~= nil then rg.fail("data") end
rg.refused(c, "DATA after a list-like RCPT")
-- expect: ^7DaTa1: action=reject stage=rcpt reason=bad-recipient .*rcpt="<,Name <u5@victim\.example>>" reply="501 5\.1\.3
-- expect: ^7DaTa1: action=reject stage=data reason=transaction-refused cause=malformed-recipient client=127\.0\.0\.2 .*from=<alice@example\.edu> rcpt="<,Name <u5@victim\.example>>" reply="554 5\.7\.1 Transaction refused
mt.abort(c)

-- 2. Same connection, next transaction: clean, DATA passes.
rg.mail(c, "<x@isp.example>", { "i", "7DaTa2" })
rg.passed(c, "second MAIL")
rg.rcpt(c, "<alice@example.edu>")
rg.passed(c, "second local RCPT")
if mt.data(c) ~= nil then rg.fail("data 2") end
rg.passed(c, "DATA of a clean transaction")
mt.disconnect(c)

-- 3. Accepted at RCPT but list-like (a trusted client may relay): still refused at DATA.
c = rg.open("192.0.2.10", "lab.example.edu", "lab", off)
rg.mail(c, "<alice@example.edu>", { "i", "7DaTa3" })
rg.passed(c, "trusted MAIL")
rg.rcpt(c, "<v@victim.example,w@victim.example>")
rg.passed(c, "trusted list RCPT")
if mt.data(c) ~= nil then rg.fail("data 3") end
rg.refused(c, "DATA after an accepted list-like RCPT")
-- expect: ^7DaTa3: action=reject stage=data reason=transaction-refused cause=malformed-recipient client=192\.0\.2\.10 .*rcpt=<v@victim\.example,w@victim\.example>
mt.disconnect(c)

-- 4. A refused RCPT that the MTA resolved like an accepted one (Sendmail
--    keeps one envelope entry, and the refusal drops both): refused at DATA.
c = rg.open("203.0.113.70", "[203.0.113.70]", "dup.example", off)
rg.mail(c, "<x@isp.example>", { "i", "7DaTa4" })
rg.passed(c, "MAIL")
mt.macro(c, SMFIC_RCPT, "i", "7DaTa4", "{rcpt_mailer}", "local", "{rcpt_host}", "", "{rcpt_addr}", "alice")
rg.rcpt(c, "<alice@example.edu>")
rg.passed(c, "alice")
mt.macro(c, SMFIC_RCPT, "i", "7DaTa4", "{rcpt_mailer}", "local", "{rcpt_host}", "", "{rcpt_addr}", "alice")
rg.rcpt(c, "<alice@mx.example.edu>")
rg.refused(c, "a spelling of alice that is not in the directory")
if mt.data(c) ~= nil then rg.fail("data 4") end
rg.refused(c, "DATA after a refused duplicate")
-- expect: ^7DaTa4: action=reject stage=data reason=transaction-refused cause=duplicate-recipient client=203\.0\.113\.70 .*rcpt=<alice@mx\.example\.edu>
mt.abort(c)

-- 5. Different addresses as the MTA resolved them: a plain refusal beside an
--    accepted recipient leaves DATA alone.
rg.mail(c, "<x@isp.example>", { "i", "7DaTa5" })
mt.macro(c, SMFIC_RCPT, "i", "7DaTa5", "{rcpt_mailer}", "local", "{rcpt_host}", "", "{rcpt_addr}", "alice")
rg.rcpt(c, "<alice@example.edu>")
rg.passed(c, "alice again")
mt.macro(c, SMFIC_RCPT, "i", "7DaTa5", "{rcpt_mailer}", "local", "{rcpt_host}", "", "{rcpt_addr}", "nobody")
rg.rcpt(c, "<nobody@example.edu>")
rg.refused(c, "unknown user")
if mt.data(c) ~= nil then rg.fail("data 5") end
rg.passed(c, "DATA with an unknown user beside alice")
mt.disconnect(c)
