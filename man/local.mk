# man/local.mk - manual pages: one line per page.
dist_man_MANS += man/pocdir.1
dist_man_MANS += man/libpocdir.3
dist_man_MANS += man/pocdir-directory.5
dist_man_MANS += man/pocdird.8 man/pocdird.conf.5 man/pocdird-api.7
