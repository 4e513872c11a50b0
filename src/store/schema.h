/* The store's migrations (internal to src/store). */
#ifndef TEND_STORE_SCHEMA_H
#define TEND_STORE_SCHEMA_H

#include <stddef.h>

size_t		 schema_migration_count(void);
/* The SQL that takes the schema to to_version (from to_version - 1). */
const char	*schema_migration(size_t to_version);

#endif
