#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# Layering: each layer includes only what it may (tests/layering.py
# resolves every include, whatever its spelling), and the built engine
# does not reach for symbols of a layer it must not know.  A self-test
# plants bad includes in a copy of the tree and expects the check to fail.
. "$top_srcdir/tests/lib.sh"

check="$top_srcdir/tests/layering.py"
if out=$(python3 "$check" "$top_srcdir"); then pass; else fail "layering violations:"; echo "$out"; fi

# plant FILE LINE WANT: a copy of the tree with LINE added to FILE must
# fail the check with a message matching WANT.
plant() {
	local copy="$T/tree" got
	rm -rf "$copy"
	mkdir -p "$copy"
	(cd "$top_srcdir" && find common policy directory budget conf session milter -name '*.[ch]' -print0 |
	    xargs -0 cp --parents -t "$copy")
	sed -i "1a $2" "$copy/$1"
	if got=$(python3 "$check" "$copy"); then
		fail "self-test: '$2' in $1 was not caught"
	elif printf '%s\n' "$got" | grep -qE -- "$3"; then
		pass
	else
		fail "self-test: '$2' in $1 caught, but not as '$3': $got"
	fi
}
plant directory/dir_file.c '#include "../session/session.h"' 'directory may not include session'
plant directory/dir_file.c '#include "../conf/conf.h"' 'directory may not include conf'
plant policy/policy.c '#include "../directory/dir.h"' 'policy may not include directory'
plant policy/policy.c '#include "./../conf/conf.h"' 'policy may not include conf'
plant policy/addr.c '#include "session/session.h"' 'policy may not include session'
plant common/log.c '#include "policy/policy.h"' 'common may not include policy'
plant policy/netset.c '#include <ldap.h>' 'policy uses libldap'
plant directory/dir_file.c '#include <ldap.h>' 'directory uses libldap'
plant session/session.c '#include <libconfig.h>' 'session uses libconfig'
plant conf/conf.c '#include "../common/log.h"' 'spell it'
plant budget/local.c '#include "conf/conf.h"' 'budget may not include conf'
plant budget/budget.c '#include "session/session.h"' 'budget may not include session'
plant policy/budget.c '#include "budget/store.h"' 'policy may not include budget'
plant budget/local.c '#include <hiredis/hiredis.h>' 'budget uses libhiredis'
plant policy/budget.c '#include <hiredis/hiredis.h>' 'policy uses libhiredis'

# The engine's object code must not call into those libraries either.
lib="$top_builddir/librgpolicy.a"
if [ -f "$lib" ]; then
	bad=$(nm -u "$lib" | grep -E ' (smfi_|ldap_|ber_|config_)' | sort -u)
	if [ -n "$bad" ]; then fail "librgpolicy.a calls out of its layer: $bad"; else pass; fi
	# ... and the check itself can fail: a planted undefined ldap_ symbol is seen.
	printf 'extern int ldap_planted(void);\nint rg_plant(void) { return ldap_planted(); }\n' >"$T/plant.c"
	if cc -c -o "$T/plant.o" "$T/plant.c" && ar cr "$T/plant.a" "$T/plant.o" &&
	    nm -u "$T/plant.a" | grep -qE ' (smfi_|ldap_|ber_|config_)'; then
		pass
	else
		fail "self-test: nm did not see a planted ldap_ call"
	fi
else
	fail "$lib was not built"
fi
finish
