/* NULL-terminated string vectors: argv, env, lists of names. */
#ifndef TEND_CORE_STRV_H
#define TEND_CORE_STRV_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

size_t	  strv_len(char *const *v);
char	**strv_dup(char *const *v);
void	  strv_free(char **v);
bool	  strv_equal(char *const *a, char *const *b);
/* True when s is one of the strings of v (v may be NULL). */
bool	  strv_contains(char *const *v, const char *s);
/* Appends a copy of s; v may be NULL. Returns the new vector. */
char	**strv_push(char **v, const char *s);
/* Appends copies of all of more (may be NULL) at once. Returns the new vector. */
char	**strv_extend(char **v, char *const *more);
/* Joins with sep into a new string, for logs. */
char	 *strv_join(char *const *v, const char *sep);
/* A JSON array of the strings (v may be NULL: an empty array). */
json_t	 *strv_json(char *const *v);
/* "name=value" strings (v may be NULL) set into obj as name: "value"; obj. */
json_t	 *strv_pairs_json(char *const *v, json_t *obj);

#endif
