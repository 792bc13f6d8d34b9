# bench/local.mk - the benchmark's programs. EXTRA_PROGRAMS: built only when
# asked for (bench/run.sh, i.e. `make bench`), never by `make` or `make check`.
EXTRA_PROGRAMS = bench/loadgen bench/libbench
bench_loadgen_SOURCES = bench/loadgen.c
bench_loadgen_LDADD = $(LDAP_LIBS) -lm
bench_libbench_SOURCES = bench/libbench.c
bench_libbench_CFLAGS = $(AM_CFLAGS) -pthread
bench_libbench_LDADD = src/lib/libpocdir-core.la
EXTRA_DIST += bench/run.sh bench/report.py bench/sync.sh bench/slapd.conf.in
CLEANFILES += $(EXTRA_PROGRAMS)
