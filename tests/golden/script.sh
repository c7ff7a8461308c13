#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Copyright 2026 The relayguard authors
# The golden scripts that need the scripted test directory ("# needs:
# test-backends", e.g. directory.in); skipped (77) in a build configured
# without --enable-test-backends.  REGEN=1 regenerates their .ref files.
GOLDEN_NEEDS=test-backends exec "$top_srcdir/tests/golden/run.sh"
