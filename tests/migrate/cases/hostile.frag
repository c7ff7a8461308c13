# legacy_exceptions imported by "relayguard -I sendmail" from cases/hostile.in.
# Assumed: FEATURE(`relay_mail_from') (with `domain' for domain keys); it
# reads only From: keys, and only RELAY lets a sender relay.
# Every exception expires on 2099-06-30.  Review each one, then @include this
# file from policy.conf.  note = "FILE:LINE" names the source entry;
# delete an entry with all its lines (each ends with its own ";").
# No -c policy.conf: addresses in our own domains were not flagged.
legacy_exceptions = {
  # cases/hostile.in:2: could not be read: carriage return in line (CR LF line ends?): it would be part of the key or value
  # cases/hostile.in:3: could not be read: NUL byte in line
  # cases/hostile.in:4: could not be read: invalid UTF-8
  # cases/hostile.in:5: from:ok\xC3\xA9@x.example RELAY
  line_5 = { sender = "ok\xC3\xA9@x.example"; expires = "2099-06-30"; note = "cases/hostile.in:5"; };
  # cases/hostile.in:6: could not be read: line starts with whitespace: makemap refuses it (an access file has no continuation lines)
  # cases/hostile.in:7: from:quote@x.example ERROR:"550 unbalanced
  # could not be read: unbalanced double quote in the right-hand side
  # cases/hostile.in:8: from:q"q@x.example RELAY
  # skipped: a quote or backslash in the local part: relayguard takes plain addresses only
  # cases/hostile.in:9: from:back\\slash@x.example RELAY
  # skipped: a quote or backslash in the local part: relayguard takes plain addresses only
  # cases/hostile.in:10: could not be read: control character in line
  # cases/hostile.in:11: could not be read: key without a value (right-hand side)
  # cases/hostile.in:12: could not be read: key without a value (right-hand side)
  # cases/hostile.in:13: could not be read: entry longer than 2048 bytes
  # cases/hostile.in:14: from:last@x.example RELAY
  line_14 = { sender = "last@x.example"; expires = "2099-06-30"; note = "cases/hostile.in:14"; };
};
