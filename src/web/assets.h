/*
 * The dashboard's files, embedded in the binary at build time
 * (cmake/web_assets.cmake turns web/ and uPlot into a table).
 */
#ifndef TEND_WEB_ASSETS_H
#define TEND_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char		*path;	/* URL path: "/", "/assets/app.js" */
	const char		*mime;	/* Content-Type, with charset for text */
	const unsigned char	*data;
	size_t			 len;
	const char		*etag;	/* quoted, as sent: "\"0123456789abcdef\"" */
};

/* The generated table (web_assets.c in the build tree). */
extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

/* The asset served at a URL path ("/index.html" is "/"), or NULL. */
const struct web_asset *web_asset_find(const char *path);

#endif
