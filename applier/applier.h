/* The applier's state, shared by its files. */
#ifndef MULTINIC_APPLIER_H
#define MULTINIC_APPLIER_H

#include "config.h"
#include "msg.h"

/* A snapshot being received, then the last complete one. */
struct snapshot {
	int		receiving;
	uint64_t	generation;
	uint32_t	expected;
	size_t		nrows;
	struct msg_row	rows[SNAPSHOT_ROWS_MAX];
};

struct applier {
	struct event_base	*base;
	struct msgchan		 supervisor;
	struct msgchan		 fetcher;
	struct config		 conf;
	int			 have_config;
	int			 started;
	struct snapshot		 snapshot;
};

/* applier.c */
int	applier_main(int argc, char *argv[]);

/* snapshot.c */
int	snapshot_begin(struct snapshot *, const struct msg_snapshot *,
	    const char **why);
int	snapshot_row(struct snapshot *, const struct msg_row *,
	    const char **why);
int	snapshot_end(struct snapshot *, const struct msg_snapshot *,
	    const char **why);
void	snapshot_log(const struct snapshot *);

/* sandbox.c */
void	applier_sandbox(const struct config *);

#endif
