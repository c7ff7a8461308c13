# legacy_exceptions imported by "relayguard -I postfix" from cases/postfix.in.
# Assumed: a check_sender_access map (check_client_access for network
# keys) in smtpd_recipient_restrictions or smtpd_relay_restrictions, where
# OK, RELAY, PERMIT and all-numerical values permit relaying.
# Every exception expires on 2099-06-30.  Review each one, then @include this
# file from policy.conf.  note = "FILE:LINE" names the source entry;
# delete an entry with all its lines (each ends with its own ";").
legacy_exceptions = {
  # cases/postfix.in:2: bob@example.edu OK
  # WARNING: OK: this sender may relay; example.edu is one of our domains (domains.local): anyone offsite can forge it
  line_2 = { sender = "bob@example.edu"; expires = "2099-06-30"; note = "cases/postfix.in:2"; };
  # cases/postfix.in:3: carol@lab.example.org RELAY
  line_3 = { sender = "carol@lab.example.org"; expires = "2099-06-30"; note = "cases/postfix.in:3"; };
  # cases/postfix.in:4: kim@example.org PERMIT
  line_4 = { sender = "kim@example.org"; expires = "2099-06-30"; note = "cases/postfix.in:4"; };
  # cases/postfix.in:5: lou@example.org 20241201
  line_5 = { sender = "lou@example.org"; expires = "2099-06-30"; note = "cases/postfix.in:5"; };
  # cases/postfix.in:6: example.org OK
  # WARNING: skipped: a whole domain: anyone may relay by forging any address in example.org (and its subdomains when parent_domain_matches_subdomains lists smtpd_access_maps); not imported without --allow-domain
  # cases/postfix.in:7: .example.net OK
  # WARNING: skipped: every subdomain of example.net: relayguard's domain form names one domain; add "@host.example.net" exceptions by hand
  # cases/postfix.in:8: mallory@ OK
  # WARNING: skipped: user@ matches that local part in every domain: list the full addresses instead
  # cases/postfix.in:9: <> OK
  # WARNING: skipped: the null sender (smtpd_null_access_lookup_key): OK permits every bounce, relaying included; never imported
  # cases/postfix.in:10: spam@bad.example REJECT
  # skipped: REJECT refuses: grants no relaying
  # cases/postfix.in:11: tmp@bad.example 450 4.7.1 try later
  # skipped: a 4xx code refuses for now: grants no relaying
  # cases/postfix.in:12: err@bad.example 550 5.7.1 go away
  # skipped: a numeric code refuses: grants no relaying
  # cases/postfix.in:13: dunno@example.org DUNNO
  # skipped: DUNNO ends the lookup and grants nothing: grants no relaying
  # cases/postfix.in:14: hold@example.org HOLD
  # skipped: HOLD holds the mail: grants no relaying
  # cases/postfix.in:15: filt@example.org FILTER smtp:[127.0.0.1]:10025
  # skipped: FILTER chooses a content filter: grants no relaying
  # cases/postfix.in:16: mixed@example.org permit_mynetworks, reject
  # skipped: a restriction list, which relayguard does not evaluate: grants no relaying
  # cases/postfix.in:17: joe bloggs@example.org OK
  # skipped: a blank in the address: relayguard takes plain addresses only
  # cases/postfix.in:18: multi@example.org OK
  line_18 = { sender = "multi@example.org"; expires = "2099-06-30"; note = "cases/postfix.in:18"; };
  # cases/postfix.in:22: bob@example.edu REJECT
  # skipped: duplicate key: line 2 counts (makemap and postmap keep the first)
};
