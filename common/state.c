/* SPDX-License-Identifier: ISC */
/*
 * The NIC state and drift kind names shared by the applier, the fetcher
 * and multinicctl.
 */

#include "state.h"

/* In enum nic_state order. */
static const char *const state_names[NIC_STATE_COUNT] = {
	[NIC_APPLIED] = "applied",
	[NIC_PENDING] = "pending",
	[NIC_WAITING] = "waiting",
	[NIC_FAILED] = "failed",
	[NIC_HELD] = "held",
	[NIC_DELETING] = "deleting",
};

/* Bit i is 1 << i of DRIFT_*; the names are the metric's label values. */
static const char *const drift_names[DRIFT_KINDS] = {
	"file", "name", "mtu", "address", "admin_state", "route",
};

const char *
nic_state_name(int state)
{
	/* The value may come from a peer: never index with it unchecked. */
	if (state < 0 || state >= NIC_STATE_COUNT)
		return "unknown";
	return state_names[state];
}

const char *
drift_kind_name(unsigned bit)
{
	return bit < DRIFT_KINDS ? drift_names[bit] : "unknown";
}
