# tests/web.mk - tests for pocdird's web page and JSON API: curl and
# http.client against the running daemon over HTTP and HTTPS.
WEB_TESTS = \
	tests/t_web_api.py
TESTS += $(WEB_TESTS)
EXTRA_DIST += $(WEB_TESTS)
