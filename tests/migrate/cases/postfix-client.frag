# legacy_exceptions imported by "relayguard -I postfix" from cases/postfix-client.in.
# Assumed: a check_sender_access map (check_client_access for network
# keys) in smtpd_recipient_restrictions or smtpd_relay_restrictions, where
# OK, RELAY, PERMIT and all-numerical values permit relaying.
# Every exception expires on 2099-06-30.  Review each one, then @include this
# file from policy.conf.  note = "FILE:LINE" names the source entry;
# delete an entry with all its lines (each ends with its own ";").
# No -c policy.conf: addresses in our own domains were not flagged.
legacy_exceptions = {
  # cases/postfix-client.in:2: 10.1.2 OK
  # WARNING: skipped: a client network (check_client_access): OK permits everything from it; put "10.1.2.0/24" in networks.trusted if it must still relay
  # cases/postfix-client.in:3: 10.9.0.0/16 OK
  # WARNING: skipped: a client network (check_client_access): OK permits everything from it; put "10.9.0.0/16" in networks.trusted if it must still relay
  # cases/postfix-client.in:4: 2001:db8:5::/48 OK
  # WARNING: skipped: a client network (check_client_access): OK permits everything from it; put "2001:db8:5::/48" in networks.trusted if it must still relay
  # cases/postfix-client.in:5: 192.0.2.1/24 OK
  # skipped: not a network policy.conf takes (host bits set?)
  # cases/postfix-client.in:6: example.org OK
  # WARNING: a whole domain: anyone may relay by forging any address in example.org (and its subdomains when parent_domain_matches_subdomains lists smtpd_access_maps); imported for example.org itself, only from the networks this file lets relay
  line_6 = { sender = "@example.org"; expires = "2099-06-30";
    networks = [ "10.1.2.0/24", "10.9.0.0/16", "2001:db8:5::/48" ];  # lines 2 3 4
    note = "cases/postfix-client.in:6"; };
  # cases/postfix-client.in:7: nina@example.net OK
  line_7 = { sender = "nina@example.net"; expires = "2099-06-30"; note = "cases/postfix-client.in:7"; };
};
