# tests/web.mk - tests for pocdird's web page and JSON API: curl and
# http.client against the running daemon over HTTP and HTTPS, and headless
# Chromium through chromedriver (screenshots kept in tests/artifacts/).
WEB_TESTS = \
	tests/t_web_api.py \
	tests/t_web_browser.py
TESTS += $(WEB_TESTS)
EXTRA_DIST += $(WEB_TESTS)
clean-local: clean-web-artifacts
clean-web-artifacts:
	rm -rf tests/artifacts
