# legacy_exceptions imported by "relayguard -I sendmail" from cases/sendmail.in.
# Assumed: FEATURE(`relay_mail_from') (with `domain' for domain keys); it
# reads only From: keys, and only RELAY lets a sender relay.
# Every exception expires on 2099-06-30.  Review each one, then @include this
# file from policy.conf.  note = "FILE:LINE" names the source entry;
# delete an entry with all its lines (each ends with its own ";").
legacy_exceptions = {
  # cases/sendmail.in:3: from:bob@example.edu RELAY
  # WARNING: relay_mail_from: this sender may relay; example.edu is one of our domains (domains.local): anyone offsite can forge it
  line_3 = { sender = "bob@example.edu"; expires = "2099-06-30"; note = "cases/sendmail.in:3"; };
  # cases/sendmail.in:4: from:carol@lab.example.org RELAY
  line_4 = { sender = "carol@lab.example.org"; expires = "2099-06-30"; note = "cases/sendmail.in:4"; };
  # cases/sendmail.in:5: from:guest@partner.example relay
  line_5 = { sender = "guest@partner.example"; expires = "2099-06-30"; note = "cases/sendmail.in:5"; };
  # cases/sendmail.in:6: from:example.org RELAY
  # WARNING: skipped: a whole domain: with FEATURE(`relay_mail_from', `domain') anyone may relay by forging any address in example.org or its subdomains; not imported without --allow-domain
  # cases/sendmail.in:7: from:alice@ RELAY
  # WARNING: skipped: user@ matches that local part in every domain; relay_mail_from never looks it up, so it granted no relaying
  # cases/sendmail.in:8: from:spam@bad.example REJECT
  # skipped: REJECT refuses: grants no relaying
  # cases/sendmail.in:9: from:dave@example.org OK
  # skipped: OK accepts the mail without further checks: grants no relaying
  # cases/sendmail.in:10: from:frank@example.org DISCARD
  # skipped: DISCARD throws the mail away: grants no relaying
  # cases/sendmail.in:11: from:err1@bad.example ERROR:"550 We do not take mail from you"
  # skipped: ERROR: refuses with its own reply: grants no relaying
  # cases/sendmail.in:12: from:err2@bad.example ERROR:5.7.1:550 No thanks
  # skipped: ERROR: refuses with its own reply: grants no relaying
  # cases/sendmail.in:13: from:tmp@bad.example TEMP:4.7.0:Try later
  # skipped: TEMP: refuses for now: grants no relaying
  # cases/sendmail.in:14: from:q@bad.example QUARANTINE:spam suspected
  # skipped: QUARANTINE: holds the mail: grants no relaying
  # cases/sendmail.in:15: from:skip@bad.example SKIP
  # skipped: SKIP ends the lookup: grants no relaying
  # cases/sendmail.in:16: from:a%b@c.example RELAY
  # skipped: a routed address (%, ! or @ in the local part)
  # cases/sendmail.in:17: from:list+*@example.org RELAY
  # skipped: a +* detail pattern: list the plain address instead
  # cases/sendmail.in:18: from:<> RELAY
  # skipped: the null sender: never a relay exception
  # cases/sendmail.in:19: connect:10.1.2 RELAY
  # skipped: a client network, not a sender: put "10.1.2.0/24" in networks.trusted if it must still relay
  # cases/sendmail.in:20: connect:ipv6:2001:db8:1 RELAY
  # skipped: a client network, not a sender: put "2001:db8:1::/48" in networks.trusted if it must still relay
  # cases/sendmail.in:21: connect:lab.example.org RELAY
  # skipped: a client host name, not a sender: relayguard trusts networks; put its addresses in networks.trusted if needed
  # cases/sendmail.in:22: connect:198.51.100.7 REJECT
  # skipped: REJECT refuses: grants no relaying
  # cases/sendmail.in:23: to:partner.example RELAY
  # skipped: a destination we relay to, not a sender: put it in domains.relay
  # cases/sendmail.in:24: to:victim.example ERROR:550 no
  # skipped: ERROR: refuses with its own reply: a recipient rule, grants no sender relaying
  # cases/sendmail.in:25: grace@example.org RELAY
  # skipped: untagged: relay_mail_from reads only From: keys; this lets clients and recipients of that name relay (networks.trusted or domains.relay)
  # cases/sendmail.in:26: 203.0.113 RELAY
  # skipped: a client network, not a sender: put "203.0.113.0/24" in networks.trusted if it must still relay
  # cases/sendmail.in:27: spam:abuse@ FRIEND
  # skipped: tag "spam:" is not about sender relaying
  # cases/sendmail.in:28: greetpause:localhost 0
  # skipped: tag "greetpause:" is not about sender relaying
  # cases/sendmail.in:29: from:bob@example.edu RELAY
  # skipped: duplicate key: line 3 counts (makemap and postmap keep the first)
  # cases/sendmail.in:30: from:heidi@example.org RELAY
  line_30 = { sender = "heidi@example.org"; expires = "2099-06-30"; note = "cases/sendmail.in:30"; };
  # cases/sendmail.in:31: from:bob@example.edu. RELAY
  # skipped: the same sender as line 3, which counts
};
