# legacy_exceptions imported by "relayguard -I postfix" from cases/hostile-pf.in.
# Assumed: a check_sender_access map (check_client_access for network
# keys) in smtpd_recipient_restrictions or smtpd_relay_restrictions, where
# OK, RELAY, PERMIT and all-numerical values permit relaying.
# Every exception expires on 2099-06-30.  Review each one, then @include this
# file from policy.conf.  note = "FILE:LINE" names the source entry;
# delete an entry with all its lines (each ends with its own ";").
# No -c policy.conf: addresses in our own domains were not flagged.
legacy_exceptions = {
  # cases/hostile-pf.in:2: could not be read: line starts with whitespace but there is no entry before it to continue
  # cases/hostile-pf.in:3: could not be read: unbalanced double quote in the key
  # cases/hostile-pf.in:4: could not be read: text right after the closing quote of the key
  # cases/hostile-pf.in:5: fine@x.example OK
  line_5 = { sender = "fine@x.example"; expires = "2099-06-30"; note = "cases/hostile-pf.in:5"; };
  # cases/hostile-pf.in:7: could not be read: entry of line 6 longer than 2048 bytes
  # cases/hostile-pf.in:8: could not be read: carriage return in line (CR LF line ends?): it would be part of the key or value
  # cases/hostile-pf.in:9: after@x.example OK
  line_9 = { sender = "after@x.example"; expires = "2099-06-30"; note = "cases/hostile-pf.in:9"; };
  # cases/hostile-pf.in:10: could not be read: text right after the closing quote of the key
};
