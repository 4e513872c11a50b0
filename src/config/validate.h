/* Whole-config validation (internal to src/config). */
#ifndef TEND_CONFIG_VALIDATE_H
#define TEND_CONFIG_VALIDATE_H

#include "config/config.h"

/* Relative paths must already be resolved (load.c). */
void	config_validate(const struct tend_config *cfg, struct config_errors *errs);

#endif
