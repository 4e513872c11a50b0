/*
 * The text the CLI prints of the world (check output, service reasons,
 * URLs from the config), shown with URL credentials hidden and control
 * characters escaped (core/text.h); and its tables (status, check,
 * history, incidents, deps): every cell shown so, each column as wide as
 * its widest cell and at least its minimum, the last one unpadded, rows and
 * lines of their own (an incident's attempts) printed in the order added.
 */
#ifndef TEND_CLI_TABLE_H
#define TEND_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct table_column {
	const char	*head;
	size_t		 min;		/* at least this wide */
	bool		 right;		/* aligned right: numbers */
	size_t		 lead;		/* blanks before it beyond the one of every column */
};

struct table;

/* n columns; cols is borrowed. */
struct table	*table_new(const struct table_column *cols, size_t n);
/* One row of n cells, copied; a NULL cell is shown as "-". */
void		 table_row(struct table *t, const char *const *cells);
/* A line of its own after the rows so far, escaped like a cell. */
void		 table_line(struct table *t, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* The head, then rows and lines; trailing blanks are cut. */
void		 table_print(const struct table *t, FILE *out);
void		 table_free(struct table *t);

/*
 * printf onto out, the whole text shown as above: a line, whose newline at
 * the end is kept while any other is escaped.
 */
void		 cli_printf(FILE *out, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* s shown as above onto out. */
void		 cli_put(FILE *out, const char *s);

#endif
