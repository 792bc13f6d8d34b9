# tests/sync.mk - tests for the sync component: signatures, history, feeds,
# sync decisions and the multi-node scenarios.
check_PROGRAMS += tests/t_sign
tests_t_sign_SOURCES = tests/t_sign.c
tests_t_sign_CFLAGS = $(AM_CFLAGS) $(SODIUM_CFLAGS)
tests_t_sign_LDADD = src/lib/libpocdir-core.la
TESTS += tests/t_sign
check_PROGRAMS += tests/t_sync_plan
tests_t_sync_plan_SOURCES = tests/t_sync_plan.c
tests_t_sync_plan_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(SODIUM_CFLAGS)
tests_t_sync_plan_LDADD = src/lib/libpocdir-core.la
TESTS += tests/t_sync_plan
TESTS += tests/t_sync_feed.sh
EXTRA_DIST += tests/t_sync_feed.sh tests/sync/kr.yaml tests/sync/jp.yaml
TESTS += tests/t_sync_faults.sh
EXTRA_DIST += tests/t_sync_faults.sh tests/sync/fakepeer.py
TESTS += tests/t_sync_three.sh
EXTRA_DIST += tests/t_sync_three.sh tests/sync/sg.yaml
TESTS += tests/t_sync_scale.sh tests/t_sync_hostile.sh tests/t_sync_reload_race.py
EXTRA_DIST += tests/t_sync_scale.sh tests/t_sync_hostile.sh tests/t_sync_reload_race.py
check_PROGRAMS += tests/t_feed_index
tests_t_feed_index_SOURCES = tests/t_feed_index.c
tests_t_feed_index_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)
tests_t_feed_index_LDADD = src/lib/libpocdir-core.la
TESTS += tests/t_feed_index
