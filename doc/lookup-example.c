/* lookup-example.c - the smallest program using libpocdir: who handles
 * technical incidents in a country. Build after `make install` with
 *   cc lookup-example.c $(pkg-config --cflags --libs pocdir)
 * Run: ./a.out DIRECTORY COUNTRY [ROLE] */
#include <pocdir.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	pocdir_error err = {0};
	pocdir_result *res;
	pocdir *dir;

	if (argc < 3) {
		fprintf(stderr, "usage: %s DIRECTORY COUNTRY [ROLE]\n", argv[0]);
		return 2;
	}
	dir = pocdir_open(argv[1], &err);
	if (dir == NULL) {
		fprintf(stderr, "%s\n", err.message);
		return 2;
	}
	pocdir_query q = {.country = argv[2], .role = argc > 3 ? argv[3] : "technical"};
	if (pocdir_lookup(dir, &q, &res, &err) == -1) {
		fprintf(stderr, "%s\n", err.message);
		pocdir_free(&dir);
		return 2;
	}
	for (size_t i = 0; i < pocdir_result_count(res); i++) {
		const pocdir_entry *e = pocdir_result_entry(res, i);
		const char *const *mail, *const *cn;
		size_t nmail = pocdir_entry_get(e, "mail", &mail);

		pocdir_entry_get(e, "cn", &cn);
		printf("%s\t%s\t%s\n", pocdir_entry_dn(e), cn[0], nmail > 0 ? mail[0] : "-");
	}
	int found = pocdir_result_count(res) > 0;
	pocdir_result_free(&res);
	pocdir_free(&dir);
	return found ? 0 : 1;
}
