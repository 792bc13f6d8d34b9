# src/pocdir/local.mk - the pocdir command-line tool. It uses only the public
# API (pocdir.h) and links the shared libpocdir like any other program would.
bin_PROGRAMS += src/pocdir/pocdir
src_pocdir_pocdir_SOURCES = \
	src/pocdir/main.c src/pocdir/commands.h \
	src/pocdir/output.c src/pocdir/output.h \
	src/pocdir/cmd_lookup.c \
	src/pocdir/cmd_validate.c
src_pocdir_pocdir_LDADD = src/lib/libpocdir.la
# signatures, history and sync commands (issue 4)
src_pocdir_pocdir_SOURCES += src/pocdir/cmd_keys.c src/pocdir/cmd_history.c src/pocdir/cmd_sync.c
src_pocdir_pocdir_SOURCES += src/pocdir/cmd_passwd.c
src_pocdir_pocdir_LDADD += $(SODIUM_LIBS)
src_pocdir_pocdir_SOURCES += src/pocdir/cmd_import.c
# exchanges over mail: ping tests and notifications
src_pocdir_pocdir_SOURCES += src/pocdir/cmd_ping.c src/pocdir/cmd_notify.c
