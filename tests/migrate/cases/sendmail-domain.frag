# legacy_exceptions imported by "relayguard -I sendmail" from cases/sendmail-domain.in.
# Assumed: FEATURE(`relay_mail_from') (with `domain' for domain keys); it
# reads only From: keys, and only RELAY lets a sender relay.
# Every exception expires on 2099-06-30.  Review each one, then @include this
# file from policy.conf.  note = "FILE:LINE" names the source entry;
# delete an entry with all its lines (each ends with its own ";").
# No -c policy.conf: addresses in our own domains were not flagged.
legacy_exceptions = {
  # cases/sendmail-domain.in:3: from:example.org RELAY
  # WARNING: a whole domain: with FEATURE(`relay_mail_from', `domain') anyone may relay by forging any address in example.org or its subdomains; imported for example.org itself, only from the networks this file lets relay
  line_3 = { sender = "@example.org"; expires = "2099-06-30";
    networks = [ "10.1.2.0/24", "203.0.113.9", "2001:db8:1::/48" ];  # lines 5 6 7
    note = "cases/sendmail-domain.in:3"; };
  # cases/sendmail-domain.in:4: from:ivan@example.net RELAY
  line_4 = { sender = "ivan@example.net"; expires = "2099-06-30"; note = "cases/sendmail-domain.in:4"; };
  # cases/sendmail-domain.in:5: connect:10.1.2 RELAY
  # skipped: a client network, not a sender: put "10.1.2.0/24" in networks.trusted if it must still relay
  # cases/sendmail-domain.in:6: 203.0.113.9 RELAY
  # skipped: a client network, not a sender: put "203.0.113.9" in networks.trusted if it must still relay
  # cases/sendmail-domain.in:7: connect:ipv6:2001:db8:1 RELAY
  # skipped: a client network, not a sender: put "2001:db8:1::/48" in networks.trusted if it must still relay
};
