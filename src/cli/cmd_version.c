#include "cli/cli.h"

#include "core/dl_curl.h"
#include <jansson.h>
#include <uv.h>
#include <yaml.h>

int
cmd_version(struct cli_options *opts)
{
	printf("tend %s\n", TEND_VERSION);
	printf("libuv %s\n", uv_version_string());
	printf("libcurl %s\n", curl_version_info(CURLVERSION_NOW)->version);
	printf("libyaml %s\n", yaml_get_version_string());
	printf("jansson %s\n", jansson_version_str());
	return 0;
}
