/*
 * keywords.c - print the statements the configuration parsers know, from
 * their keyword tables (lib/conf.h), for tests/man/check.sh: every one must
 * be in riposted.conf(5) or riposte-dns.conf(5), so a statement added to a
 * table without documentation fails the test.
 *
 *	keywords riposted|riposte-dns
 *
 * One line per row: the table's name, the row's fixed words and its usage
 * (the help text, whose lowercase alternatives the test also looks for),
 * separated by tabs.  A table without rows that takes everything (`line
 * vty`) is printed with "*" as its words.
 */
#include <stdio.h>
#include <string.h>

#include "dns/conf.h"
#include "lib/conf.h"
#include "riposted/conf.h"

static void
print_table(const struct conf_table *t)
{
	if (t->n == 0 && t->other != NULL)
		printf("%s\t*\t*\n", t->name);
	for (size_t i = 0; i < t->n; i++)
		printf("%s\t%s\t%s\n", t->name, t->kw[i].words,
		    t->kw[i].help != NULL ? t->kw[i].help : t->kw[i].words);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "riposted") == 0) {
		size_t n;
		const struct conf_table *const *all = riposted_conf_tables(&n);

		for (size_t i = 0; i < n; i++)
			print_table(all[i]);
	} else if (argc == 2 && strcmp(argv[1], "riposte-dns") == 0) {
		print_table(dnsconf_table_get());
	} else {
		fprintf(stderr, "usage: keywords riposted|riposte-dns\n");
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
