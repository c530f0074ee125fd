/* A quantity that may be unknown.  A field an input did not give is unknown,
 * never 0; arithmetic on an unknown operand gives an unknown result.  All
 * byte math goes through these helpers: 64-bit unsigned, overflow-checked. */
#ifndef CORRELATE_OPT_H
#define CORRELATE_OPT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	uint64_t v;
	bool known;
} opt_u64;

static inline opt_u64 opt_some(uint64_t v)
{
	return (opt_u64){v, true};
}
static inline opt_u64 opt_none(void)
{
	return (opt_u64){0, false};
}

/* a + b; unknown when either is unknown or the sum overflows. */
static inline opt_u64 opt_add(opt_u64 a, opt_u64 b)
{
	uint64_t r;
	if (!a.known || !b.known || __builtin_add_overflow(a.v, b.v, &r))
		return opt_none();
	return opt_some(r);
}

/* max(a - b, 0): the part of a that b does not cover. */
static inline opt_u64 opt_sub_sat(opt_u64 a, opt_u64 b)
{
	if (!a.known || !b.known)
		return opt_none();
	return opt_some(a.v > b.v ? a.v - b.v : 0);
}

static inline opt_u64 opt_min(opt_u64 a, opt_u64 b)
{
	if (!a.known || !b.known)
		return opt_none();
	return opt_some(a.v < b.v ? a.v : b.v);
}

/* a, or b when a is unknown. */
static inline opt_u64 opt_or(opt_u64 a, opt_u64 b)
{
	return a.known ? a : b;
}

/* a * k with overflow check (k is a unit, e.g. 1024 for kB). */
static inline opt_u64 opt_mul(opt_u64 a, uint64_t k)
{
	uint64_t r;
	if (!a.known || __builtin_mul_overflow(a.v, k, &r))
		return opt_none();
	return opt_some(r);
}

#endif
