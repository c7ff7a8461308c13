dnl SPDX-License-Identifier: BSD-2-Clause
dnl Copyright 2026 The relayguard authors
dnl RG_CHECK_FUZZER: is there a clang that links libFuzzer targets with
dnl ASan and UBSan?  Sets FUZZ_CC, HAVE_FUZZ (yes/no) and FUZZ_MISSING (why
dnl not); "make fuzz" and "make fuzz-smoke" skip with that message when not.
AC_DEFUN([RG_CHECK_FUZZER], [
AC_ARG_VAR([FUZZ_CC], [clang used to build the libFuzzer harnesses (make fuzz)])
AC_CHECK_PROGS([FUZZ_CC], [clang clang-16 clang-15 clang-14], [])
HAVE_FUZZ=no
AS_IF([test -z "$FUZZ_CC"],
    [FUZZ_MISSING="no clang found (Debian: apt-get install clang libclang-rt-14-dev)"],
    [AC_MSG_CHECKING([whether $FUZZ_CC links -fsanitize=fuzzer,address,undefined])
     cat >conftest-fuzz.c <<_RG_EOF
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return n > 0 && d[[0]] == 1; }
_RG_EOF
     AS_IF([$FUZZ_CC -fsanitize=fuzzer,address,undefined -o conftest-fuzz$EXEEXT conftest-fuzz.c >&AS_MESSAGE_LOG_FD 2>&1],
         [HAVE_FUZZ=yes],
         [FUZZ_MISSING="$FUZZ_CC cannot link -fsanitize=fuzzer (Debian: apt-get install libclang-rt-14-dev)"])
     rm -f conftest-fuzz.c conftest-fuzz$EXEEXT
     AC_MSG_RESULT([$HAVE_FUZZ])])
AC_SUBST([HAVE_FUZZ])
AC_SUBST([FUZZ_MISSING])
])
