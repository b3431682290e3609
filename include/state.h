/* SPDX-License-Identifier: ISC */
/*
 * The names of the NIC states (enum nic_state) and of the kinds of drift
 * (DRIFT_*) as multinicctl, the health endpoint, the metrics and the logs
 * show them: one table each for every process.
 */
#ifndef MULTINIC_STATE_H
#define MULTINIC_STATE_H

#include "msg.h"

/* "applied", "pending", ...; "unknown" for a value outside the enum. */
const char	*nic_state_name(int state);
/* Bit i of a drift mask: "file", "name", ...; "unknown" past DRIFT_KINDS. */
const char	*drift_kind_name(unsigned bit);

#endif
