/* The fetcher's state, shared by its files. */
#ifndef MULTINIC_FETCHER_H
#define MULTINIC_FETCHER_H

#include "config.h"
#include "msg.h"

struct fetcher {
	struct event_base	*base;
	struct msgchan		 supervisor;
	struct msgchan		 applier;
	struct config		 conf;
	struct config_secret	 secret;
	int			 have_config;
	int			 started;
	int			 control_fd;	/* listening, from the supervisor */
	int			 http_fd;	/* listening, or -1 */
};

/* fetcher.c */
int	fetcher_main(int argc, char *argv[]);

/* sandbox.c */
void	fetcher_sandbox(const struct config *);

#endif
