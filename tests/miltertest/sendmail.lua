-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- Sendmail 8.17 style macros: {tls_version} and {cipher} at HELO,
-- {auth_type}/{auth_authen}/{auth_author} at MAIL, i at RCPT too.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

-- 1. Offsite client, tricky recipients: all refused.
local c = rg.open("203.0.113.50", "[203.0.113.50]", "spammer.example",
    { "{tls_version}", "NONE", "{cipher}", "" })
rg.mail(c, "<spam@spam.example>", { "i", "5ASm1" })
rg.passed(c, "offsite MAIL")
local tricks = {
	"<victim.example!user@example.edu>",
	"<\"user@victim.example\"@example.edu>",
	"<@example.edu:user@victim.example>",
	"<user@[198.51.100.1]>",
	"<user@victim.example.>",
	"<USER@VICTIM.EXAMPLE>",
}
for _, r in ipairs(tricks) do
	mt.macro(c, SMFIC_RCPT, "i", "5ASm1")
	rg.rcpt(c, r)
	rg.refused(c, "trick " .. r)
end
-- expect: ^5ASm1: action=reject stage=rcpt reason=relay-denied .*rcpt=<victim\.example!user@example\.edu>
-- expect: reason=relay-denied .*rcpt="<\\"user@victim\.example\\"@example\.edu>"
-- expect: reason=relay-denied .*rcpt=<@example\.edu:user@victim\.example>
-- expect: reason=relay-denied .*rcpt=<user@\[198\.51\.100\.1\]>
-- expect: reason=relay-denied .*rcpt=<user@victim\.example\.>
-- expect: reason=relay-denied .*rcpt=<USER@VICTIM\.EXAMPLE>
rg.rcpt(c, "<Alice@Example.EDU.>")
rg.passed(c, "inbound, case and trailing dot")
mt.disconnect(c)

-- 2. Sendmail sends tls_version "NONE"-free values only after STARTTLS;
--    port 465 style: TLS from the start, AUTH, relay allowed.
c = rg.open("203.0.113.51", "laptop.isp.example", "laptop",
    { "{tls_version}", "TLSv1.3", "{cipher}", "TLS_AES_256_GCM_SHA384", "{cert_subject}", "" })
rg.mail(c, "<carol@physics.example.edu>", { "i", "5ASm2", "{auth_type}", "PLAIN",
    "{auth_authen}", "carol", "{auth_author}", "carol" })
rg.passed(c, "authenticated MAIL")
rg.rcpt(c, "<colleague@cern.example>")
rg.passed(c, "authenticated relay")
-- expect: ^5ASm2: action=accept stage=rcpt reason=authenticated client=203\.0\.113\.51 .*auth=carol tls=TLSv1\.3
mt.disconnect(c)

-- 3. The legacy exception from its network, and from elsewhere.
c = rg.open("198.51.100.20", "old-laptop", "old")
rg.mail(c, "<bob@example.edu>")
rg.passed(c, "legacy MAIL")
rg.rcpt(c, "<u@victim.example>")
rg.passed(c, "legacy exception relays")
-- expect: action=accept stage=rcpt reason=legacy-exception client=198\.51\.100\.20 .*expires=2099-03-01 note="ticket 4411"
mt.disconnect(c)
c = rg.open("203.0.113.77", "elsewhere", "x")
rg.mail(c, "<bob@example.edu>")
rg.passed(c, "offsite_local=warn MAIL")
-- expect: action=would-reject stage=mail reason=offsite-local-sender client=203\.0\.113\.77
rg.rcpt(c, "<u@victim.example>")
rg.refused(c, "legacy exception out of its network")
-- expect: action=reject stage=rcpt reason=relay-denied client=203\.0\.113\.77 .*from=<bob@example\.edu>
mt.disconnect(c)
c = rg.open("203.0.113.77", "elsewhere", "x")
rg.mail(c, "<old@example.edu>")
rg.passed(c, "expired legacy MAIL")
rg.rcpt(c, "<u@victim.example>")
rg.refused(c, "expired legacy exception")
-- expect: action=reject stage=rcpt reason=legacy-exception-expired .*reply="550 5\.7\.1 The relay exception for this sender expired on 2001-01-01
mt.disconnect(c)
