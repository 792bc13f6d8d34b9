# contrib/local.mk - build rules for contrib (filled in by its component).
# feeds and sync (issue 4): nginx snippet for a published feed, cron example
EXTRA_DIST += contrib/nginx-feed.conf contrib/pocdir-sync.cron
