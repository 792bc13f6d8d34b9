# tests/import.mk - pocdir import: sample listings in each format (FIRST and
# Trusted Introducer JSON, security.txt, CSV), broken ones, and a URL served
# over real HTTP on loopback.
TESTS += tests/t_import.py
EXTRA_DIST += tests/t_import.py \
	tests/import/first-teams.json tests/import/ti-teams.json \
	tests/import/security.txt tests/import/contacts.csv \
	tests/import/broken-json.json tests/import/broken-nocountry.json \
	tests/import/broken-security.txt tests/import/broken-quote.csv \
	tests/import/broken-fields.csv
