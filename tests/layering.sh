#!/bin/bash
# Layering: each layer includes only what it may, and the built
# libraries do not reach for symbols of a layer they must not know.
. "$top_srcdir/tests/lib.sh"
cd "$top_srcdir"

# forbid DIR REGEX WHY: no file under DIR may include a header matching REGEX.
forbid() {
	local hits
	hits=$(grep -rnE "#include *[<\"]($2)" "$1" --include='*.[ch]' | grep -vE "${4:-^$}")
	if [ -n "$hits" ]; then fail "$1 $3:"; echo "$hits"; else pass; fi
}

forbid policy 'libmilter/|ldap\.h|lber\.h|libconfig\.h' "includes an MTA, LDAP or config library"
forbid policy 'conf/|directory/|session/|milter/' "reaches up into another layer"
forbid common 'libmilter/|ldap\.h|lber\.h|libconfig\.h|policy/|conf/|directory/|session/|milter/' "is not self-contained"
forbid directory 'libmilter/|libconfig\.h|conf/|session/|milter/' "reaches into config or milter"
forbid directory 'ldap\.h|lber\.h' "uses libldap outside the LDAP backend" '^directory/(dir_)?ldap'
forbid conf 'libmilter/|ldap\.h|lber\.h|session/|milter/' "reaches into the milter or libldap"
forbid session 'libmilter/|ldap\.h|lber\.h|libconfig\.h|milter/' "depends on a library it should not"
forbid milter 'ldap\.h|lber\.h|libconfig\.h' "bypasses conf/ or directory/"

# The engine's object code must not call into those libraries either.
lib="$top_builddir/librgpolicy.a"
if [ -f "$lib" ]; then
	bad=$(nm -u "$lib" | grep -E ' (smfi_|ldap_|ber_|config_)' | sort -u)
	if [ -n "$bad" ]; then fail "librgpolicy.a calls out of its layer: $bad"; else pass; fi
else
	fail "$lib was not built"
fi
finish
