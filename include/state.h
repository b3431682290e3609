/*
 * The names of the NIC states (enum nic_state) as multinicctl, the health
 * endpoint, the metrics and the logs show them: one table for every process.
 */
#ifndef MULTINIC_STATE_H
#define MULTINIC_STATE_H

#include "msg.h"

/* "applied", "pending", ...; "unknown" for a value outside the enum. */
const char	*nic_state_name(int state);

#endif
