/*
 * array.h - growing a malloc'd array by doubling.
 */
#ifndef RIPOSTE_ARRAY_H
#define RIPOSTE_ARRAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * Make room for `need` elements of `size` bytes in *p (capacity *cap),
 * doubling from 16.  false, with *p untouched, when out of memory or when
 * the size would overflow.
 */
static inline bool
array_grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return true;
	if (need > SIZE_MAX / 4 / size)
		return false;
	size_t ncap = *cap ? *cap * 2 : 16;
	while (ncap < need)
		ncap *= 2;
	void *n = realloc(*p, ncap * size);
	if (n == NULL)
		return false;
	*p = n;
	*cap = ncap;
	return true;
}

#endif
