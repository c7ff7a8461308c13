-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright 2026 The relayguard authors
-- Postfix-style macros (Postfix 3.7 defaults): {tls_version} at HELO,
-- i/{auth_type}/{auth_authen}/{auth_author} at MAIL.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")

-- 1. Offsite client relaying: refused.
local c = rg.open("198.51.100.7", "unknown", "x.example")
rg.mail(c, "<a@x.example>", { "i", "4Xyz1", "{mail_addr}", "a@x.example" })
rg.passed(c, "offsite MAIL")
rg.rcpt(c, "<u@victim.example>")
rg.refused(c, "offsite relay")
-- expect: ^4Xyz1: action=reject stage=rcpt reason=relay-denied client=198\.51\.100\.7 .*rcpt=<u@victim\.example> reply="550 5\.7\.1 Relaying denied
rg.rcpt(c, "<user%victim.example@example.edu>")
rg.refused(c, "percent hack")
-- expect: action=reject stage=rcpt reason=relay-denied .*rcpt=<user%victim\.example@example\.edu> reply="550 5\.7\.1
rg.rcpt(c, "<alice@example.edu>")
rg.passed(c, "inbound mailbox")
rg.rcpt(c, "<dave@example.edu>")
rg.passed(c, "inbound forward")
-- expect: action=accept stage=rcpt reason=forward .*rcpt=<dave@example\.edu>
rg.rcpt(c, "<staff@example.edu>")
rg.passed(c, "inbound list")
-- expect: action=accept stage=rcpt reason=list .*rcpt=<staff@example\.edu>
rg.rcpt(c, "<nobody@example.edu>")
rg.refused(c, "unknown recipient")
-- expect: action=reject stage=rcpt reason=unknown-recipient .*reply="550 5\.1\.1
mt.disconnect(c)

-- 2. AUTH over STARTTLS: relays.
c = rg.open("203.0.113.9", "dyn.isp.example", "laptop",
    { "{tls_version}", "TLSv1.3", "{cipher}", "TLS_AES_256_GCM_SHA384" })
rg.mail(c, "<alice@example.edu>", { "i", "4Xyz2", "{auth_type}", "PLAIN",
    "{auth_authen}", "alice", "{auth_author}", "" })
rg.passed(c, "authenticated MAIL")
rg.rcpt(c, "<friend@elsewhere.example>")
rg.passed(c, "authenticated relay")
-- expect: ^4Xyz2: action=accept stage=rcpt reason=authenticated client=203\.0\.113\.9 client_name=dyn\.isp\.example helo=laptop auth=alice tls=TLSv1\.3
mt.disconnect(c)

-- 3. AUTH without TLS: not good enough for relaying.
c = rg.open("203.0.113.9", "dyn.isp.example", "laptop")
rg.mail(c, "<alice@example.edu>", { "{auth_type}", "LOGIN", "{auth_authen}", "alice" })
rg.passed(c, "plaintext-auth MAIL")
rg.rcpt(c, "<friend@elsewhere.example>")
rg.refused(c, "auth without TLS")
-- expect: action=reject stage=rcpt reason=auth-without-tls .*auth=alice tls=- .*reply="550 5\.7\.1 Authentication without TLS
mt.disconnect(c)

-- 4. Forged MAIL FROM ... AUTH=<alice@example.edu>: {auth_author} only.
c = rg.open("198.51.100.7", "unknown", "x.example",
    { "{tls_version}", "TLSv1.3", "{cert_subject}", "CN=alice" })
rg.mail(c, "<x@x.example>", { "{auth_author}", "alice@example.edu" })
rg.passed(c, "forged AUTH= MAIL")
rg.rcpt(c, "<u@victim.example>")
rg.refused(c, "forged auth_author must not authenticate")
-- expect: action=reject stage=rcpt reason=relay-denied client=198\.51\.100\.7 .*auth=- tls=TLSv1\.3 from=<x@x\.example>
mt.disconnect(c)

-- 5. Sender-login mismatch is refused at MAIL.
c = rg.open("203.0.113.9", "dyn.isp.example", "laptop", { "{tls_version}", "TLSv1.3" })
rg.mail(c, "<bob@example.edu>", { "{auth_type}", "PLAIN", "{auth_authen}", "alice" })
rg.refused(c, "sender-login mismatch")
-- expect: action=reject stage=mail reason=sender-login-mismatch .*auth=alice .*from=<bob@example\.edu> reply="553 5\.7\.1
mt.disconnect(c)

-- 6. ANONYMOUS is not authentication.
c = rg.open("203.0.113.9", "dyn.isp.example", "laptop", { "{tls_version}", "TLSv1.3" })
rg.mail(c, "<x@isp.example>", { "{auth_type}", "ANONYMOUS", "{auth_authen}", "anon" })
rg.passed(c, "anonymous MAIL")
rg.rcpt(c, "<u@victim.example>")
rg.refused(c, "ANONYMOUS relay")
-- expect: action=reject stage=rcpt reason=relay-denied .*auth=anon .*from=<x@isp\.example>
mt.disconnect(c)

-- 7. Trusted network over IPv6 relays; RSET clears the sender.
c = rg.open("2001:db8::25", "ws.example.edu", "ws")
rg.mail(c, "<carol@example.edu>")
rg.passed(c, "trusted MAIL")
rg.rcpt(c, "<u@victim.example>")
rg.passed(c, "trusted relay")
-- expect: action=accept stage=rcpt reason=trusted client=2001:db8::25
mt.abort(c)
rg.mail(c, "<>")
rg.passed(c, "null sender after abort")
rg.rcpt(c, "<u@victim.example>")
rg.passed(c, "bounce from trusted")
-- expect: action=accept stage=rcpt reason=trusted client=2001:db8::25 .*from=<> rcpt=<u@victim\.example>
mt.disconnect(c)
