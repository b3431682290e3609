/* The applier's state, shared by its files. */
#ifndef MULTINIC_APPLIER_H
#define MULTINIC_APPLIER_H

#include "config.h"
#include "msg.h"

struct applier {
	struct event_base	*base;
	struct msgchan		 supervisor;
	struct msgchan		 fetcher;
	struct config		 conf;
	int			 have_config;
	int			 started;
};

/* applier.c */
int	applier_main(int argc, char *argv[]);

/* sandbox.c */
void	applier_sandbox(const struct config *);

#endif
