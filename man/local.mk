# man/local.mk - manual pages: one line per page.
dist_man_MANS += man/pocdir.1
dist_man_MANS += man/libpocdir.3
dist_man_MANS += man/pocdir-directory.5
