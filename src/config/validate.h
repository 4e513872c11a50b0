/* Whole-config validation (internal to src/config). */
#ifndef TEND_CONFIG_VALIDATE_H
#define TEND_CONFIG_VALIDATE_H

#include "config/config.h"

void	config_validate(const struct tend_config *cfg, const char *config_dir,
	    struct config_errors *errs);

#endif
