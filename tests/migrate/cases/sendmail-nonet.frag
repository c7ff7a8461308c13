# legacy_exceptions imported by "relayguard -I sendmail" from cases/sendmail-nonet.in.
# Assumed: FEATURE(`relay_mail_from') (with `domain' for domain keys); it
# reads only From: keys, and only RELAY lets a sender relay.
# Every exception expires on 2099-06-30.  Review each one, then @include this
# file from policy.conf.  note = "FILE:LINE" names the source entry;
# delete an entry with all its lines (each ends with its own ";").
# No -c policy.conf: addresses in our own domains were not flagged.
legacy_exceptions = {
  # cases/sendmail-nonet.in:2: from:example.org RELAY
  # WARNING: skipped: a whole domain: with FEATURE(`relay_mail_from', `domain') anyone may relay by forging any address in example.org or its subdomains; not imported: the domain form needs networks and this file lets no client network relay
  # cases/sendmail-nonet.in:3: from:judy@example.net RELAY
  line_3 = { sender = "judy@example.net"; expires = "2099-06-30"; note = "cases/sendmail-nonet.in:3"; };
};
