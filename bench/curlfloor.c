/* curlfloor: the peak RSS any program pays for libcurl on this machine,
 * against which correlate's own is read (bench/run, part C).
 *
 *   curlfloor 0        linked with libcurl, returns at once
 *   curlfloor 1        + curl_global_init(CURL_GLOBAL_DEFAULT) (OpenSSL starts)
 *   curlfloor 2 URL    + one GET of URL, body discarded
 */
#include <curl/curl.h>
#include <stdlib.h>

static size_t discard(char *buf, size_t size, size_t n, void *ctx)
{
	(void)buf;
	(void)ctx;
	return size * n;
}

int main(int argc, char **argv)
{
	int mode = argc > 1 ? atoi(argv[1]) : 0;
	if (mode == 0)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	int rc = 0;
	if (mode >= 2 && argc > 2) {
		CURL *h = curl_easy_init();
		if (!h)
			return 1;
		curl_easy_setopt(h, CURLOPT_URL, argv[2]);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
		rc = curl_easy_perform(h) == CURLE_OK ? 0 : 1;
		curl_easy_cleanup(h);
	}
	curl_global_cleanup();
	return rc;
}
