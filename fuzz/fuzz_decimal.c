/* dec_parse_u64 (src/parse/lines.h), the exact decimal reader behind the
 * expvar and Prometheus values, held against a slow reference written here
 * from the header's words alone: the number's digits and exponent are kept
 * as text and an integer, and only the integer part and the first dropped
 * digit are ever turned into a number (in __int128), so the reference is
 * exact for any length of input.  Also parse_u64_dec against strtoull.
 *
 * Byte 0: bits 0-4 the scale (mod 19: 0..18), bit 7 round_max.  The rest
 * is the text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parse/lines.h"

typedef unsigned __int128 u128;

#define EXP_SAT 1000000000000LL /* exponents beyond this are all the same */

static const char *const WHY_NAN = "not a number", *const WHY_NEG = "negative",
			 *const WHY_BIG = "2^64 or more";

/* The header's promise: [+-] digits [. digits] [e|E [+-] digits], at least
 * one digit before the exponent, nothing else; the value times 10^scale,
 * rounded half up; 0 (also "-0") is fine, a negative number is not; 2^64 or
 * more is refused, except that with round_max a value that rounds to
 * within half a double step (2048) above 2^64 - 1 gives UINT64_MAX. */
static int reference(const char *s, size_t len, int scale, int round_max, uint64_t *out,
		     const char **why)
{
	size_t i = 0;
	int neg = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	/* significant digits, without leading zeros, and the power of ten of the
	 * last one */
	char *dig = malloc(len + 1);
	if (!dig)
		abort();
	size_t nd = 0, ndigits = 0;
	long long e10 = scale;
	int seen_dot = 0;
	for (; i < len; i++) {
		if (s[i] == '.' && !seen_dot) {
			seen_dot = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			break;
		ndigits++;
		if (seen_dot)
			e10--;
		if (nd == 0 && s[i] == '0')
			continue;
		dig[nd++] = s[i];
	}
	int rc = -1;
	*why = WHY_NAN;
	if (ndigits == 0)
		goto done;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		int eneg = 0;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		size_t st = i;
		long long e = 0;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (e < EXP_SAT)
				e = e * 10 + (s[i] - '0');
		if (i == st)
			goto done;
		e10 += eneg ? -e : e;
	}
	if (i != len)
		goto done;
	if (nd == 0) {
		*out = 0;
		rc = 0;
		goto done;
	}
	if (neg) {
		*why = WHY_NEG;
		goto done;
	}
	/* value = dig * 10^e10; k digits before the point */
	long long k = (long long)nd + e10;
	*why = WHY_BIG;
	if (k > 21) /* >= 10^21: far above 2^64 + 2048 */
		goto done;
	u128 n = 0;
	int up = 0;
	for (long long d = 0; d < k; d++)
		n = n * 10 + (u128)(d < (long long)nd ? dig[d] - '0' : 0);
	if (k >= 0 && k < (long long)nd)
		up = dig[k] >= '5';
	n += (u128)up;
	u128 limit = round_max ? ((u128)1 << 64) + 2048 : (u128)UINT64_MAX;
	if (n > limit)
		goto done;
	*out = n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
	rc = 0;
done:
	free(dig);
	return rc;
}

static void check_u64_dec(const char *text, size_t len)
{
	uint64_t v = 0;
	size_t end = 0;
	int rc = parse_u64_dec(text, len, &v, &end);
	size_t n = 0;
	while (n < len && text[n] >= '0' && text[n] <= '9')
		n++;
	if (n == 0) {
		FUZZ_CHECK(rc == -1);
		return;
	}
	char *d = malloc(n + 1);
	if (!d)
		abort();
	memcpy(d, text, n);
	d[n] = '\0';
	errno = 0;
	unsigned long long want = strtoull(d, NULL, 10);
	int overflow = errno == ERANGE;
	free(d);
	if (overflow) {
		FUZZ_CHECK(rc == -1, "parse_u64_dec took %zu digits beyond 2^64", n);
		return;
	}
	FUZZ_CHECK(rc == 0 && v == want && end == n, "parse_u64_dec: %d %llu (%zu) vs %llu (%zu)",
		   rc, (unsigned long long)v, end, want, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int scale = (data[0] & 0x1f) % 19;
	int round_max = (data[0] & 0x80) != 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;

	uint64_t got = 0, want = 0;
	const char *why_got = NULL, *why_want = NULL;
	int rc = dec_parse_u64(text, len, scale, round_max, &got, &why_got);
	int ref = reference(text, len, scale, round_max, &want, &why_want);
	FUZZ_CHECK(rc == ref, "\"%.*s\" scale %d round_max %d: dec_parse_u64 %s, reference %s (%llu)",
		   (int)(len > 80 ? 80 : len), text, scale, round_max, rc ? why_got : "ok",
		   ref ? why_want : "ok", (unsigned long long)(rc ? want : got));
	if (rc == 0)
		FUZZ_CHECK(got == want, "\"%.*s\" scale %d round_max %d: %llu, reference %llu",
			   (int)(len > 80 ? 80 : len), text, scale, round_max,
			   (unsigned long long)got, (unsigned long long)want);
	else
		FUZZ_CHECK(why_got && strcmp(why_got, why_want) == 0,
			   "\"%.*s\": refused as \"%s\", reference \"%s\"",
			   (int)(len > 80 ? 80 : len), text, why_got ? why_got : "(null)", why_want);

	check_u64_dec(text, len);
	return 0;
}
