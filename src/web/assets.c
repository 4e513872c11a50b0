/* Finding an embedded dashboard file by its URL path. */
#include "web/assets.h"

#include <string.h>

const struct web_asset *
web_asset_find(const char *path)
{
	size_t i;

	if (path == NULL)
		return NULL;
	if (strcmp(path, "/index.html") == 0)
		path = "/";
	/* A handful of entries: a linear search is as fast as anything else. */
	for (i = 0; i < web_assets_count; i++)
		if (strcmp(web_assets[i].path, path) == 0)
			return &web_assets[i];
	return NULL;
}
