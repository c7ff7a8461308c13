/* SPDX-License-Identifier: BSD-2-Clause */
/* Copyright 2026 The relayguard authors */
/*
 * testmode.h - "relayguard -T": replay one SMTP transaction through the
 * daemon's own session code and print each stage's decision line.
 */
#ifndef RG_TESTMODE_H
#define RG_TESTMODE_H

#include "conf/conf.h"

/* Exit status: 0 all accepted, 1 rejected, 75 tempfailed, 64 usage. */
int	rg_testmode(struct rg_config *cfg, int argc, char **argv);

#endif
