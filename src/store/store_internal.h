/* Shared inside src/store. */
#ifndef TEND_STORE_STORE_INTERNAL_H
#define TEND_STORE_STORE_INTERNAL_H

#include <sqlite3.h>

struct store;

sqlite3	*store_db(struct store *st);

#endif
